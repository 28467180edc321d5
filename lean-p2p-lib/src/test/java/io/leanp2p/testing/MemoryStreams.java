package io.leanp2p.testing;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.types.TransportKind;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * In-memory {@link MuxedStream} pairs (and a minimal {@link Connection} pair) for deterministic
 * protocol tests without sockets.
 *
 * <p>Everything runs on one {@link Scheduler}: a {@link VirtualScheduler} (nothing moves until the
 * test calls {@code runDue()} / {@code advance(...)}) or {@code Scheduler.of(eventLoop)} for a
 * plain single-thread executor (then every call must be made on that loop). Bytes written on one
 * end are cut into pieces according to {@link Options#cut()} and each piece is delivered to the
 * other end in its own scheduler task, after {@link Options#latencyNanos()}, in order.
 *
 * <p>Modelled behaviour:
 *
 * <ul>
 *   <li><b>Ownership</b>: {@link MuxedStream#write} takes the buffer and releases it; every
 *       delivered piece is a fresh buffer from {@link Options#alloc()} that the receiving handler
 *       owns and must release (so the paranoid leak detector catches a handler that forgets).
 *   <li><b>Flow control</b>: bytes written but not yet consumed by the remote handler count against
 *       {@link Options#window()}; above it {@link MuxedStream#isWritable()} is false. Returning from
 *       {@code onData} credits the bytes back; {@link MuxedStream#setReadPaused} keeps them
 *       buffered and uncredited. Writability changes are reported via {@code
 *       onWritabilityChanged} in a later task.
 *   <li><b>FIN</b>: {@link MuxedStream#closeWrite()} is delivered after all data written before it;
 *       the remote sees {@code onRemoteClose} once all earlier data was consumed. FIN both ways
 *       gives {@code onClosed} on each end.
 *   <li><b>Reset</b>: {@link MuxedStream#reset()} drops data in flight (released), calls {@code
 *       onReset}+{@code onClosed} on the local handler at once and on the remote handler one
 *       latency later. Writes after reset or FIN fail.
 *   <li><b>Handler installation</b>: data, FIN and reset that arrive before a handler is installed
 *       are held and delivered in a task right after {@link MuxedStream#handler}.
 * </ul>
 */
public final class MemoryStreams {
  private MemoryStreams() {}

  /** How written bytes are cut into delivered pieces. */
  public enum Cut {
    /** Each write arrives as one piece. */
    WHOLE,
    /** Pieces of exactly {@link Options#maxPiece()} bytes (the last may be shorter). */
    FIXED,
    /** Random sizes in [0, maxPiece] (empty pieces included), from {@link Options#seed()}. */
    RANDOM
  }

  /**
   * Behaviour of a pair.
   *
   * @param cut fragmentation of delivered bytes
   * @param maxPiece piece size for FIXED, upper bound for RANDOM
   * @param seed seed for RANDOM cuts (each direction of each stream derives its own generator)
   * @param window bytes in flight (written, not yet consumed) above which the writer is unwritable
   * @param latencyNanos delay of every delivered piece, FIN, reset and new inbound stream
   * @param alloc allocator of the delivered buffers (pooled by default: leak-tracked)
   */
  public record Options(
      Cut cut, int maxPiece, long seed, int window, long latencyNanos, ByteBufAllocator alloc) {
    public Options {
      if (maxPiece < 1 || window < 1 || latencyNanos < 0) {
        throw new IllegalArgumentException("bad options");
      }
    }

    /** Whole writes, a 256 KiB window, no latency. */
    public static Options defaults() {
      return new Options(Cut.WHOLE, 1, 0, 256 * 1024, 0, PooledByteBufAllocator.DEFAULT);
    }

    public Options whole() {
      return new Options(Cut.WHOLE, maxPiece, seed, window, latencyNanos, alloc);
    }

    public Options fixedPieces(int size) {
      return new Options(Cut.FIXED, size, seed, window, latencyNanos, alloc);
    }

    public Options randomPieces(long seed, int maxPiece) {
      return new Options(Cut.RANDOM, maxPiece, seed, window, latencyNanos, alloc);
    }

    public Options window(int bytes) {
      return new Options(cut, maxPiece, seed, bytes, latencyNanos, alloc);
    }

    public Options latencyMillis(long millis) {
      return new Options(cut, maxPiece, seed, window, millis * 1_000_000L, alloc);
    }
  }

  /** A connected stream pair: {@code dialer} is OUTBOUND, {@code listener} is INBOUND. */
  public record Pair(End dialer, End listener) {}

  /** Creates a connected stream pair without connections ({@link MuxedStream#connection()} is null). */
  public static Pair pair(Scheduler sched, Options opts) {
    return pair(sched, opts, null, null, 1);
  }

  public static Pair pair(Scheduler sched) {
    return pair(sched, Options.defaults());
  }

  private static Pair pair(
      Scheduler sched, Options opts, MemoryConnection out, MemoryConnection in, long id) {
    End a = new End(sched, opts, out, Direction.OUTBOUND, id, new Random(opts.seed() * 31 + id * 2));
    End b = new End(sched, opts, in, Direction.INBOUND, id, new Random(opts.seed() * 31 + id * 2 + 1));
    a.peer = b;
    b.peer = a;
    return new Pair(a, b);
  }

  /** A connected pair of connections: {@code dialer} is OUTBOUND, {@code listener} INBOUND. */
  public record ConnectionPair(MemoryConnection dialer, MemoryConnection listener) {}

  /**
   * Creates two connected {@link Connection}s. {@code loop} is only what {@link
   * Connection#eventLoop()} returns (may be null under a VirtualScheduler); peers and addresses
   * may be null where the test does not need them.
   */
  public static ConnectionPair connections(
      Scheduler sched,
      EventLoop loop,
      PeerId dialerPeer,
      PeerId listenerPeer,
      Multiaddr dialerAddr,
      Multiaddr listenerAddr,
      Options opts) {
    MemoryConnection d =
        new MemoryConnection(sched, loop, opts, Direction.OUTBOUND, listenerPeer, dialerAddr, listenerAddr);
    MemoryConnection l =
        new MemoryConnection(sched, loop, opts, Direction.INBOUND, dialerPeer, listenerAddr, dialerAddr);
    d.peer = l;
    l.peer = d;
    return new ConnectionPair(d, l);
  }

  private static final Object FIN = new Object();

  /** One end of an in-memory stream. */
  public static final class End implements MuxedStream {
    private final Scheduler sched;
    private final Options opts;
    private final MemoryConnection connection;
    private final Direction direction;
    private final long id;
    private final Random random;
    End peer;

    private StreamHandler handler;
    /** Items written by us, not yet arrived at the peer (ByteBuf or FIN). */
    private final ArrayDeque<Object> transit = new ArrayDeque<>();
    /** Pieces arrived here, not yet handed to our handler. */
    private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
    private boolean finArrived;
    private boolean remoteCloseNotified;
    private boolean writeClosed;
    private boolean reset;
    private String resetReason;
    private boolean resetNotified;
    private boolean closedNotified;
    private boolean paused;
    private boolean draining;
    private long unacked;
    private boolean writable = true;
    private long bytesWritten;
    private long bytesDelivered;
    private int piecesDelivered;

    End(Scheduler sched, Options opts, MemoryConnection c, Direction d, long id, Random random) {
      this.sched = sched;
      this.opts = opts;
      this.connection = c;
      this.direction = d;
      this.id = id;
      this.random = random;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public Connection connection() {
      return connection;
    }

    @Override
    public Direction direction() {
      return direction;
    }

    /** The other end. */
    public End remote() {
      return peer;
    }

    @Override
    public void handler(StreamHandler handler) {
      this.handler = handler;
      sched.schedule(0, this::drain);
    }

    @Override
    public Future<Void> write(ByteBuf data) {
      if (reset || writeClosed) {
        data.release();
        return ImmediateEventExecutor.INSTANCE.newFailedFuture(
            new ClosedChannelException());
      }
      try {
        int remaining = data.readableBytes();
        bytesWritten += remaining;
        while (remaining > 0) {
          int n = nextPiece(remaining); // RANDOM may give empty pieces
          ByteBuf piece = opts.alloc().buffer(n);
          data.readBytes(piece, n);
          remaining -= n;
          unacked += n;
          send(piece);
        }
      } finally {
        data.release();
      }
      if (writable && unacked > opts.window()) {
        writable = false;
        sched.schedule(0, this::notifyWritability);
      }
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
    }

    private int nextPiece(int remaining) {
      return switch (opts.cut()) {
        case WHOLE -> remaining;
        case FIXED -> Math.min(remaining, opts.maxPiece());
        case RANDOM -> Math.min(remaining, random.nextInt(opts.maxPiece() + 1));
      };
    }

    private void send(Object item) {
      transit.add(item);
      sched.schedule(opts.latencyNanos(), this::deliverOne);
    }

    private void deliverOne() {
      Object item = transit.poll();
      if (item == null) {
        return; // dropped by a reset
      }
      if (item == FIN) {
        peer.finArrived();
      } else {
        peer.arrive((ByteBuf) item);
      }
    }

    private void arrive(ByteBuf piece) {
      if (reset) {
        piece.release();
        return;
      }
      inbound.add(piece);
      drain();
    }

    private void finArrived() {
      if (reset) {
        return;
      }
      finArrived = true;
      drain();
    }

    private void drain() {
      if (draining || handler == null) {
        return;
      }
      draining = true;
      try {
        if (reset) {
          notifyReset();
          return;
        }
        while (!paused && !reset && !inbound.isEmpty()) {
          ByteBuf b = inbound.poll();
          int n = b.readableBytes();
          bytesDelivered += n;
          piecesDelivered++;
          handler.onData(this, b);
          peer.credit(n);
        }
        if (reset) {
          notifyReset();
          return;
        }
        if (!paused && inbound.isEmpty() && finArrived && !remoteCloseNotified) {
          remoteCloseNotified = true;
          handler.onRemoteClose(this);
          maybeClosed();
        }
      } finally {
        draining = false;
      }
    }

    private void credit(int n) {
      unacked -= n;
      if (!writable && unacked <= opts.window() && !reset) {
        writable = true;
        sched.schedule(0, this::notifyWritability);
      }
    }

    private void notifyWritability() {
      if (handler != null && !reset && !closedNotified) {
        handler.onWritabilityChanged(this);
      }
    }

    private void maybeClosed() {
      if (!closedNotified && writeClosed && remoteCloseNotified && handler != null) {
        closedNotified = true;
        handler.onClosed(this);
      }
    }

    private void notifyReset() {
      if (handler == null || resetNotified || closedNotified) {
        return;
      }
      resetNotified = true;
      closedNotified = true;
      handler.onReset(this, resetReason);
      handler.onClosed(this);
    }

    @Override
    public boolean isWritable() {
      return writable && !reset && !writeClosed;
    }

    @Override
    public void closeWrite() {
      if (reset || writeClosed) {
        return;
      }
      writeClosed = true;
      send(FIN);
      maybeClosed();
    }

    @Override
    public void reset() {
      resetWith("local reset");
    }

    /** Resets with a reason; the remote sees "remote reset". */
    void resetWith(String reason) {
      if (reset || closedNotified) {
        return;
      }
      doReset(reason);
      sched.schedule(opts.latencyNanos(), () -> peer.remoteReset("remote reset"));
    }

    private void remoteReset(String reason) {
      if (reset || closedNotified) {
        return;
      }
      doReset(reason);
    }

    private void doReset(String reason) {
      reset = true;
      resetReason = reason;
      for (Object o : transit) {
        if (o instanceof ByteBuf b) {
          b.release();
        }
      }
      transit.clear();
      for (ByteBuf b : inbound) {
        b.release();
      }
      inbound.clear();
      if (!draining) {
        notifyReset();
      }
      // inside drain(): drain notices the reset and notifies before returning
    }

    @Override
    public void setReadPaused(boolean paused) {
      boolean was = this.paused;
      this.paused = paused;
      if (was && !paused) {
        sched.schedule(0, this::drain);
      }
    }

    @Override
    public ByteBufAllocator alloc() {
      return opts.alloc();
    }

    // ---- test introspection

    public boolean isReset() {
      return reset;
    }

    public boolean isWriteClosed() {
      return writeClosed;
    }

    /** True once our handler was told about the remote's FIN. */
    public boolean remoteClosed() {
      return remoteCloseNotified;
    }

    /** True once our handler got {@code onClosed}. */
    public boolean isClosed() {
      return closedNotified;
    }

    public boolean isReadPaused() {
      return paused;
    }

    /** Bytes written by us and not yet consumed by the remote handler. */
    public long bytesInFlight() {
      return unacked;
    }

    /** Bytes arrived here and held (no handler yet, or paused). */
    public long bytesBuffered() {
      long n = 0;
      for (ByteBuf b : inbound) {
        n += b.readableBytes();
      }
      return n;
    }

    public long bytesWritten() {
      return bytesWritten;
    }

    public long bytesDelivered() {
      return bytesDelivered;
    }

    public int piecesDelivered() {
      return piecesDelivered;
    }

    @Override
    public String toString() {
      return "MemoryStream[" + id + "," + direction + "]";
    }
  }

  /** A minimal in-memory {@link Connection}; streams are {@link End}s. */
  public static final class MemoryConnection implements Connection {
    private final Scheduler sched;
    private final EventLoop loop;
    private final Options opts;
    private final Direction direction;
    private final PeerId remotePeer;
    private final Multiaddr localAddr;
    private final Multiaddr remoteAddr;
    private final Promise<Void> closeFuture = ImmediateEventExecutor.INSTANCE.newPromise();
    private final Map<Long, End> streams = new LinkedHashMap<>();
    private final List<End> heldInbound = new ArrayList<>();
    private Consumer<MuxedStream> inboundHandler;
    private CloseReason closeReason;
    private long nextId;
    MemoryConnection peer;

    MemoryConnection(
        Scheduler sched,
        EventLoop loop,
        Options opts,
        Direction direction,
        PeerId remotePeer,
        Multiaddr localAddr,
        Multiaddr remoteAddr) {
      this.sched = sched;
      this.loop = loop;
      this.opts = opts;
      this.direction = direction;
      this.remotePeer = remotePeer;
      this.localAddr = localAddr;
      this.remoteAddr = remoteAddr;
      this.nextId = direction == Direction.OUTBOUND ? 1 : 2; // yamux-like parity
    }

    @Override
    public PeerId remotePeer() {
      return remotePeer;
    }

    @Override
    public Multiaddr remoteAddress() {
      return remoteAddr;
    }

    @Override
    public Multiaddr localAddress() {
      return localAddr;
    }

    @Override
    public Direction direction() {
      return direction;
    }

    @Override
    public TransportKind transport() {
      return TransportKind.TCP;
    }

    @Override
    public EventLoop eventLoop() {
      return loop;
    }

    @Override
    public Future<MuxedStream> openStream() {
      if (closeReason != null) {
        return ImmediateEventExecutor.INSTANCE.newFailedFuture(new ClosedChannelException());
      }
      long id = nextId;
      nextId += 2;
      Pair p = pair(sched, opts, this, peer, id);
      streams.put(id, p.dialer());
      End remoteEnd = p.listener();
      sched.schedule(opts.latencyNanos(), () -> peer.inbound(remoteEnd));
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(p.dialer());
    }

    private void inbound(End s) {
      if (closeReason != null) {
        return; // the opener's end was reset by the close
      }
      streams.put(s.id(), s);
      if (inboundHandler == null) {
        heldInbound.add(s);
      } else {
        inboundHandler.accept(s);
      }
    }

    @Override
    public void inboundStreamHandler(Consumer<MuxedStream> handler) {
      this.inboundHandler = handler;
      List<End> held = new ArrayList<>(heldInbound);
      heldInbound.clear();
      for (End s : held) {
        handler.accept(s);
      }
    }

    @Override
    public boolean isOpen() {
      return closeReason == null;
    }

    @Override
    public void close(String reason) {
      if (closeReason != null) {
        return;
      }
      closeLocally(CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, reason));
      sched.schedule(
          opts.latencyNanos(),
          () -> {
            if (peer.closeReason == null) {
              peer.closeLocally(CloseReason.of(CloseReason.Kind.REMOTE_CLOSE, reason));
            }
          });
    }

    private void closeLocally(CloseReason why) {
      closeReason = why;
      for (End s : new ArrayList<>(streams.values())) {
        if (!s.isReset() && !s.isClosed()) {
          s.doReset("connection closed: " + why);
        }
      }
      streams.clear();
      heldInbound.clear();
      closeFuture.trySuccess(null);
    }

    @Override
    public Future<Void> closeFuture() {
      return closeFuture;
    }

    @Override
    public CloseReason closeReason() {
      return closeReason;
    }

    @Override
    public int openStreams() {
      return streams().size();
    }

    /** The streams of this connection that are not closed yet. */
    public List<End> streams() {
      List<End> out = new ArrayList<>();
      for (End s : streams.values()) {
        if (!s.isClosed()) {
          out.add(s);
        }
      }
      return out;
    }
  }
}
