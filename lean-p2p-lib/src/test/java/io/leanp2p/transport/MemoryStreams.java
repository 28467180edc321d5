package io.leanp2p.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import io.leanp2p.types.Direction;

/**
 * Two in-memory {@link MuxedStream}s wired to each other, single-threaded and deterministic:
 * a write is queued for the peer and delivered by a pump that never re-enters itself. For unit
 * tests of stream protocols (multistream, identify, ping, ...). {@link #connection()} is null.
 */
public final class MemoryStreams {
  private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
  private boolean pumping;
  public final End a;
  public final End b;

  private MemoryStreams() {
    a = new End(1, Direction.OUTBOUND);
    b = new End(1, Direction.INBOUND);
    a.peer = b;
    b.peer = a;
  }

  public static MemoryStreams pair() {
    return new MemoryStreams();
  }

  private void post(Runnable r) {
    pending.add(r);
    pump();
  }

  /** Delivers everything queued. */
  public void pump() {
    if (pumping) {
      return;
    }
    pumping = true;
    try {
      Runnable r;
      while ((r = pending.poll()) != null) {
        r.run();
      }
    } finally {
      pumping = false;
    }
  }

  /** One end. Records what happened to it for assertions. */
  public final class End implements MuxedStream {
    private final long id;
    private final Direction direction;
    End peer;
    private StreamHandler handler;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private boolean heldFin;
    public boolean writeClosed;
    public boolean resetCalled;
    public boolean remoteClosed;
    public String resetReason;
    public final List<String> events = new ArrayList<>();

    End(long id, Direction direction) {
      this.id = id;
      this.direction = direction;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public Connection connection() {
      return null;
    }

    @Override
    public Direction direction() {
      return direction;
    }

    @Override
    public void handler(StreamHandler h) {
      this.handler = h;
      while (handler == h && !held.isEmpty()) {
        h.onData(this, held.poll());
      }
      if (handler == h && heldFin) {
        heldFin = false;
        h.onRemoteClose(this);
      }
    }

    @Override
    public Future<Void> write(ByteBuf data) {
      if (writeClosed || resetCalled) {
        data.release();
        return ImmediateEventExecutor.INSTANCE.newFailedFuture(
            new IllegalStateException("stream not writable"));
      }
      post(() -> peer.receive(data));
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
    }

    /** Injects raw bytes as if the peer had written them (owned by this end afterwards). */
    public void inject(ByteBuf data) {
      post(() -> receive(data));
    }

    private void receive(ByteBuf data) {
      if (resetCalled) {
        data.release();
        return;
      }
      if (handler == null) {
        held.add(data);
      } else {
        handler.onData(this, data);
      }
    }

    @Override
    public boolean isWritable() {
      return !writeClosed && !resetCalled;
    }

    @Override
    public void closeWrite() {
      if (writeClosed) {
        return;
      }
      writeClosed = true;
      events.add("closeWrite");
      post(peer::receiveFin);
    }

    private void receiveFin() {
      if (resetCalled) {
        return;
      }
      remoteClosed = true;
      if (handler == null) {
        heldFin = true;
      } else {
        handler.onRemoteClose(this);
      }
    }

    @Override
    public void reset() {
      if (resetCalled) {
        return;
      }
      resetCalled = true;
      events.add("reset");
      releaseHeld();
      post(() -> peer.receiveReset("remote reset"));
    }

    private void receiveReset(String reason) {
      if (resetCalled) {
        return;
      }
      resetCalled = true;
      resetReason = reason;
      releaseHeld();
      if (handler != null) {
        handler.onReset(this, reason);
        handler.onClosed(this);
      }
    }

    private void releaseHeld() {
      ByteBuf b;
      while ((b = held.poll()) != null) {
        b.release();
      }
    }

    @Override
    public void setReadPaused(boolean paused) {}

    @Override
    public ByteBufAllocator alloc() {
      return ByteBufAllocator.DEFAULT;
    }
  }
}
