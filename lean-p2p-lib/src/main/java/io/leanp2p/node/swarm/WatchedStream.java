package io.leanp2p.node.swarm;

import io.leanp2p.transport.Connection;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.Future;

/**
 * An inbound stream as a service sees it, which runs {@code firstData} once when the first bytes
 * arrive (the {@link Admission} policy's evidence of traffic). Everything else is the stream's
 * own; callbacks carry this view, so a service sees one stream object throughout.
 */
final class WatchedStream implements MuxedStream {
  private final MuxedStream stream;
  private Runnable firstData;

  WatchedStream(MuxedStream stream, Runnable firstData) {
    this.stream = stream;
    this.firstData = firstData;
  }

  /** Data arrived (with the negotiation, or later): runs the hook the first time. */
  void sawData() {
    Runnable r = firstData;
    if (r != null) {
      firstData = null;
      r.run();
    }
  }

  @Override
  public long id() {
    return stream.id();
  }

  @Override
  public Connection connection() {
    return stream.connection();
  }

  @Override
  public Direction direction() {
    return stream.direction();
  }

  @Override
  public void handler(StreamHandler h) {
    stream.handler(new StreamHandler() {
      @Override
      public void onData(MuxedStream s, ByteBuf data) {
        sawData();
        h.onData(WatchedStream.this, data);
      }

      @Override
      public void onRemoteClose(MuxedStream s) {
        h.onRemoteClose(WatchedStream.this);
      }

      @Override
      public void onReset(MuxedStream s, String reason) {
        h.onReset(WatchedStream.this, reason);
      }

      @Override
      public void onWritabilityChanged(MuxedStream s) {
        h.onWritabilityChanged(WatchedStream.this);
      }

      @Override
      public void onClosed(MuxedStream s) {
        h.onClosed(WatchedStream.this);
      }
    });
  }

  @Override
  public Future<Void> write(ByteBuf data) {
    return stream.write(data);
  }

  @Override
  public boolean isWritable() {
    return stream.isWritable();
  }

  @Override
  public void closeWrite() {
    stream.closeWrite();
  }

  @Override
  public void reset() {
    stream.reset();
  }

  @Override
  public void setReadPaused(boolean paused) {
    stream.setReadPaused(paused);
  }

  @Override
  public ByteBufAllocator alloc() {
    return stream.alloc();
  }

  @Override
  public String toString() {
    return stream.toString();
  }
}
