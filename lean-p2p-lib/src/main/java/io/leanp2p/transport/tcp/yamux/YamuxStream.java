package io.leanp2p.transport.tcp.yamux;

import io.leanp2p.transport.PipelineErrors;
import io.leanp2p.transport.Connection;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import io.leanp2p.config.YamuxConfig;

/**
 * One Yamux stream. Single-threaded (the session's event loop).
 *
 * <p>Receive side: arriving data is delivered to the handler at once unless reading is paused or
 * no handler is installed yet (then it is queued, bounded by the window we granted); the bytes are
 * credited back to the remote only after the handler's {@code onData} returned. Send side: writes
 * are queued and cut into frames that fit the remote's window; the queue is bounded.
 */
final class YamuxStream implements MuxedStream {

  private final YamuxSession session;
  private final int id;
  private final Direction direction;
  private StreamHandler handler;

  private long recvWindow = YamuxConfig.SPEC_WINDOW;
  private long uncredited;
  /** The window we grant (initial, grown by auto-tuning up to the configured maximum). */
  private long window;
  private long lastCreditNanos;
  private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
  private boolean paused;
  private boolean delivering;

  private long sendWindow = YamuxConfig.SPEC_WINDOW;
  private final ArrayDeque<PendingWrite> outbound = new ArrayDeque<>();
  private long pendingBytes;
  private boolean lastWritable = true;

  private boolean acked;
  private boolean localFin;
  private boolean finSent;
  private boolean remoteFin;
  private boolean remoteFinDelivered;
  private boolean reset;
  private boolean closedNotified;

  private record PendingWrite(ByteBuf data, Promise<Void> promise) {}

  YamuxStream(YamuxSession session, int id, Direction direction) {
    this.session = session;
    this.id = id;
    this.direction = direction;
    // the extra window we announce with SYN / ACK is ours from the start
    this.recvWindow = session.config().initialWindow();
    this.window = session.config().initialWindow();
    this.lastCreditNanos = session.nanoTime();
  }

  /** Window beyond the spec's 256 KiB that we grant with our SYN or ACK. */
  long extraWindow() {
    return session.config().initialWindow() - YamuxConfig.SPEC_WINDOW;
  }

  int rawId() {
    return id;
  }

  /** The receive window this stream grants now (grows with auto-tuning). */
  long window() {
    return window;
  }

  long recvWindow() {
    return recvWindow;
  }

  boolean isReset() {
    return reset;
  }

  @Override
  public long id() {
    return Integer.toUnsignedLong(id);
  }

  @Override
  public Connection connection() {
    return session;
  }

  @Override
  public Direction direction() {
    return direction;
  }

  @Override
  public ByteBufAllocator alloc() {
    return session.ctx().alloc();
  }

  // ---------------------------------------------------------------- receive

  @Override
  public void handler(StreamHandler h) {
    this.handler = h;
    deliver();
  }

  @Override
  public void setReadPaused(boolean p) {
    this.paused = p;
    if (!p) {
      deliver();
    }
  }

  void onData(ByteBuf data) {
    int n = data.readableBytes();
    if (reset) {
      data.release();
      return;
    }
    if (remoteFin) {
      data.release();
      session.countError(YamuxError.DATA_AFTER_FIN);
      reset();
      return;
    }
    recvWindow -= n; // the session checked n <= recvWindow before buffering the frame
    inbound.add(data);
    deliver();
  }

  void onRemoteFin() {
    if (reset || remoteFin) {
      return;
    }
    remoteFin = true;
    deliver();
  }

  private void deliver() {
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      while (handler != null && !paused && !reset && !inbound.isEmpty()) {
        ByteBuf b = inbound.poll();
        int n = b.readableBytes();
        StreamHandler h = handler;
        try {
          h.onData(this, b); // the handler owns b now
        } catch (RuntimeException e) {
          handlerFailed("onData", e);
          return;
        }
        credit(n);
      }
      if (handler != null && !reset && remoteFin && inbound.isEmpty() && !remoteFinDelivered) {
        remoteFinDelivered = true;
        try {
          handler.onRemoteClose(this);
        } catch (RuntimeException e) {
          handlerFailed("onRemoteClose", e);
          return;
        }
        maybeClosed();
      }
    } finally {
      delivering = false;
    }
  }

  private void credit(int n) {
    if (reset || remoteFin) {
      return;
    }
    uncredited += n;
    if (uncredited >= window / 2) {
      long delta = uncredited;
      uncredited = 0;
      long now = session.nanoTime();
      long max = session.config().maxWindow();
      if (window < max && now - lastCreditNanos < YamuxConfig.AUTO_TUNE_NANOS) {
        long grow = Math.min(window, max - window); // double: the window, not the reader, is the limit
        window += grow;
        delta += grow;
      }
      lastCreditNanos = now;
      recvWindow += delta;
      session.sendWindowUpdate(id, 0, delta);
      session.flushSoon();
    }
  }

  /** A protocol handler threw: only its stream pays (reset), never the connection. */
  private void handlerFailed(String where, RuntimeException e) {
    PipelineErrors.of(session.ctx().channel()).report("stream handler " + where + " of " + this, e);
    session.countError(YamuxError.HANDLER_FAILED);
    reset();
  }

  // ---------------------------------------------------------------- send

  boolean onAck() {
    if (acked) {
      return false;
    }
    acked = true;
    return true;
  }

  /** Adds the remote's credit; false on overflow past 2^32 - 1. */
  boolean onWindowUpdate(long delta) {
    long w = sendWindow + delta;
    if (w > 0xFFFF_FFFFL) {
      return false;
    }
    sendWindow = w;
    flushOutbound();
    updateWritability();
    return true;
  }

  @Override
  public Future<Void> write(ByteBuf data) {
    var exec = session.ctx().executor();
    if (reset || localFin || session.isClosed()) {
      data.release();
      return exec.newFailedFuture(
          new ClosedChannelException() {
            @Override
            public String getMessage() {
              return reset ? "stream reset" : localFin ? "write side closed" : "connection closed";
            }
          });
    }
    int n = data.readableBytes();
    if (pendingBytes + n > session.config().maxPendingWriteBytes()) {
      data.release();
      session.countError(YamuxError.WRITE_BUFFER_FULL);
      return exec.newFailedFuture(
          new IllegalStateException("stream write buffer full (" + pendingBytes + " bytes queued)"));
    }
    Promise<Void> p = exec.newPromise();
    if (n == 0) {
      data.release();
      p.setSuccess(null);
      return p;
    }
    outbound.add(new PendingWrite(data, p));
    pendingBytes += n;
    flushOutbound();
    updateWritability();
    return p;
  }

  void flushOutbound() {
    boolean wrote = false;
    long bytes = 0;
    int maxFrame = session.config().maxSendFrame();
    while (!reset && !outbound.isEmpty() && sendWindow > 0 && session.channelWritable()) {
      PendingWrite w = outbound.peek();
      int n = (int) Math.min(Math.min(w.data.readableBytes(), sendWindow), maxFrame);
      ByteBuf slice = w.data.readRetainedSlice(n);
      sendWindow -= n;
      pendingBytes -= n;
      bytes += n;
      wrote = true;
      if (!w.data.isReadable()) {
        outbound.poll();
        w.data.release();
        ChannelPromise cp = session.ctx().newPromise();
        Promise<Void> target = w.promise;
        cp.addListener(
            f -> {
              if (f.isSuccess()) {
                target.trySuccess(null);
              } else {
                target.tryFailure(f.cause());
              }
            });
        session.sendData(id, 0, slice, cp);
      } else {
        session.sendData(id, 0, slice, session.ctx().voidPromise());
      }
    }
    if (!reset && localFin && !finSent && outbound.isEmpty()) {
      finSent = true;
      session.sendWindowUpdate(id, YamuxFrame.FIN, 0);
      wrote = true;
    }
    if (wrote) {
      session.flushSoon(bytes);
    }
    if (finSent) {
      maybeClosed();
    }
  }

  @Override
  public boolean isWritable() {
    return !reset
        && !localFin
        && !session.isClosed()
        && sendWindow > 0
        && pendingBytes < session.config().writeHighWater()
        && session.channelWritable();
  }

  void updateWritability() {
    boolean w = isWritable();
    if (w != lastWritable) {
      lastWritable = w;
      if (handler != null && !reset) {
        handler.onWritabilityChanged(this);
      }
    }
  }

  @Override
  public void closeWrite() {
    if (localFin || reset) {
      return;
    }
    localFin = true;
    flushOutbound();
    updateWritability();
  }

  // ---------------------------------------------------------------- reset / close

  @Override
  public void reset() {
    if (reset || closedNotified) {
      return;
    }
    if (!session.isClosed()) {
      session.sendWindowUpdate(id, YamuxFrame.RST, 0);
      session.flushSoon();
    }
    abort("reset locally");
  }

  void onRemoteReset() {
    if (reset || closedNotified) {
      return;
    }
    abort("reset by remote");
  }

  void onConnectionClosed(String reason) {
    if (reset || closedNotified) {
      return;
    }
    abort("connection closed: " + reason);
  }

  private void abort(String reason) {
    reset = true;
    ByteBuf b;
    while ((b = inbound.poll()) != null) {
      b.release();
    }
    PendingWrite w;
    Exception cause = new IllegalStateException("stream " + reason);
    while ((w = outbound.poll()) != null) {
      w.data.release();
      w.promise.tryFailure(cause);
    }
    pendingBytes = 0;
    StreamHandler h = handler;
    if (h != null) {
      h.onReset(this, reason);
    }
    notifyClosed();
  }

  private void maybeClosed() {
    if (finSent && remoteFinDelivered && !reset) {
      notifyClosed();
    }
  }

  private void notifyClosed() {
    if (closedNotified) {
      return;
    }
    closedNotified = true;
    session.streamClosed(this);
    if (handler != null) {
      handler.onClosed(this);
    }
  }

  @Override
  public String toString() {
    return "YamuxStream[" + Integer.toUnsignedString(id) + " " + direction + "]";
  }
}
