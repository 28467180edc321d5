package io.leanp2p.adversarial;

import io.leanp2p.testing.TestNode;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.Transport;
import io.leanp2p.types.TransportKind;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An attacker above the transport: an honest TCP or QUIC connection (the library's transport, a
 * fresh identity) that then abuses protocols on its streams. Streams the victim opens to it for
 * gossip are accepted and drained, or (with {@code reads = false}) never read: a peer that lets
 * the victim's messages pile up.
 */
final class StreamAttacker implements AutoCloseable {
  final TestNode<? extends Transport> node;
  private Connection conn;

  private StreamAttacker(TestNode<? extends Transport> node, boolean reads) {
    this.node = node;
    for (String p : List.of("/meshsub/1.2.0", "/meshsub/1.1.0")) {
      node.registry.register(p, (stream, leftover) -> {
        leftover.release();
        stream.handler(reads ? DRAIN : STALL);
        if (!reads) {
          stream.setReadPaused(true);
        }
      });
    }
  }

  static StreamAttacker over(TransportKind kind, boolean reads) {
    return new StreamAttacker(kind == TransportKind.TCP ? TestNode.tcp() : TestNode.quic(), reads);
  }

  private static final StreamHandler DRAIN = new StreamHandler() {
    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      data.release();
    }
  };

  private static final StreamHandler STALL = new StreamHandler() {
    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      data.release(); // the few bytes that arrive before the pause takes effect
    }
  };

  StreamAttacker connect(Victim v, TransportKind kind) throws Exception {
    conn = node.await(() -> node.swarm.dial(v.addr(kind), Duration.ofSeconds(15)), Duration.ofSeconds(30));
    return this;
  }

  Connection connection() {
    return conn;
  }

  /** Opens a stream and negotiates {@code protocol} on it. */
  MuxedStream open(String protocol) throws Exception {
    Promise<MuxedStream> p = ImmediateEventExecutor.INSTANCE.newPromise();
    node.loop.execute(() -> StreamNegotiator.open(conn, List.of(protocol), node.sched, 10_000,
        new StreamNegotiator.SelectCallback() {
          @Override
          public void selected(MuxedStream st, String proto, ByteBuf leftover) {
            leftover.release();
            st.handler(DRAIN);
            p.trySuccess(st);
          }

          @Override
          public void failed(MuxedStream st, String reason) {
            p.tryFailure(new IllegalStateException(reason));
          }
        }));
    if (!p.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("no " + protocol + " stream within 30 s");
    }
    if (!p.isSuccess()) {
      throw new IllegalStateException(p.cause());
    }
    return p.getNow();
  }

  /**
   * Opens a {@code protocol} stream, writes {@code request} (then FIN), and returns everything
   * the victim sent back once it closed its side.
   */
  byte[] exchange(String protocol, byte[] request) throws Exception {
    MuxedStream s = open(protocol);
    Promise<byte[]> answer = ImmediateEventExecutor.INSTANCE.newPromise();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    node.loop.execute(() -> {
      s.handler(new StreamHandler() {
        @Override
        public void onData(MuxedStream st, ByteBuf data) {
          byte[] b = new byte[data.readableBytes()];
          data.readBytes(b);
          data.release();
          got.writeBytes(b);
        }

        @Override
        public void onRemoteClose(MuxedStream st) {
          answer.trySuccess(got.toByteArray());
        }

        @Override
        public void onClosed(MuxedStream st) {
          answer.trySuccess(got.toByteArray());
        }

        @Override
        public void onReset(MuxedStream st, String reason) {
          answer.tryFailure(new IllegalStateException("reset: " + reason));
        }
      });
      s.write(Unpooled.wrappedBuffer(request));
      s.closeWrite();
    });
    if (!answer.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("no answer on " + protocol + " within 30 s");
    }
    if (!answer.isSuccess()) {
      throw new IllegalStateException(answer.cause());
    }
    return answer.getNow();
  }

  /** Writes {@code bytes} on {@code s}; with {@code fin} closes our side after them. */
  void write(MuxedStream s, byte[] bytes, boolean fin) {
    node.loop.execute(() -> {
      s.write(Unpooled.wrappedBuffer(bytes));
      if (fin) {
        s.closeWrite();
      }
    });
  }

  /**
   * Writes {@code frames} {@code repeat} times on {@code s}, as fast as the victim's flow control
   * lets them go (written whenever the stream is writable), so that the attack is limited by the
   * victim's reading and not by our memory. Returns once all were handed over, or the stream or
   * connection died.
   */
  void flood(MuxedStream s, List<byte[]> frames, int repeat) throws Exception {
    Promise<Void> done = ImmediateEventExecutor.INSTANCE.newPromise();
    node.loop.execute(() -> new Pump(s, frames, repeat, done).pump());
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new AssertionError("flood not handed over within 60 s");
    }
  }

  /** Writes batches while the stream is writable; resumes on writability. */
  private final class Pump implements StreamHandler {
    final MuxedStream s;
    final List<byte[]> frames;
    final int repeat;
    final Promise<Void> done;
    int round;
    int index;

    Pump(MuxedStream s, List<byte[]> frames, int repeat, Promise<Void> done) {
      this.s = s;
      this.frames = frames;
      this.repeat = repeat;
      this.done = done;
      s.handler(this);
    }

    void pump() {
      while (round < repeat && s.isWritable() && conn.isOpen()) {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        while (round < repeat && batch.size() < 64 * 1024) {
          batch.writeBytes(frames.get(index));
          if (++index == frames.size()) {
            index = 0;
            round++;
          }
        }
        s.write(Unpooled.wrappedBuffer(batch.toByteArray()));
      }
      if (round >= repeat || !conn.isOpen()) {
        done.trySuccess(null);
      }
    }

    @Override
    public void onData(MuxedStream st, ByteBuf data) {
      data.release();
    }

    @Override
    public void onWritabilityChanged(MuxedStream st) {
      pump();
    }

    @Override
    public void onClosed(MuxedStream st) {
      done.trySuccess(null);
    }

    @Override
    public void onReset(MuxedStream st, String reason) {
      done.trySuccess(null);
    }
  }

  @Override
  public void close() {
    node.close();
  }
}
