package io.leanp2p.bench;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.config.QuicConfig;
import io.leanp2p.transport.quic.QuicTransport;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Java-to-Java QUIC over loopback, two networks (two single-threaded event loops):
 *
 * <ul>
 *   <li>{@code transfer}: 32 MiB over one multistream-negotiated stream in {@code writeSize}
 *       writes (64 KiB / 1 MiB), then FIN; the op ends when the receiver has counted every byte
 *       and answered with its own FIN. MB/s = 32 MiB / (time per op).
 *   <li>{@code handshake}: dial (QUIC + libp2p TLS 1.3, both certificates verified, expected
 *       PeerId checked) until the connection is announced, then close; sampled for p50.
 * </ul>
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class QuicTransportBenchmark {
  static final String SINK = "/leanp2p/bench/sink/1.0.0";
  static final long TOTAL = 32L * 1024 * 1024;

  @Param({"65536", "1048576"})
  public int writeSize;

  private MultiThreadIoEventLoopGroup groupA;
  private MultiThreadIoEventLoopGroup groupB;
  private EventLoop loopA;
  private QuicTransport a;
  private QuicTransport b;
  private PeerId bId;
  private Multiaddr bAddr;
  private Connection conn;
  private ByteBuf chunk;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    groupA = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    groupB = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    loopA = groupA.next();
    EventLoop loopB = groupB.next();
    var keyA = Secp256k1PrivateKey.generate(new SecureRandom());
    var keyB = Secp256k1PrivateKey.generate(new SecureRandom());
    bId = PeerId.fromPublicKey(keyB.publicKey());
    ProtocolRegistry registry = new ProtocolRegistry();
    registry.register(SINK, QuicTransportBenchmark::sink);
    Scheduler schedB = Scheduler.of(loopB);
    QuicConfig cfg = QuicConfig.defaults();
    a = new QuicTransport(loopA, keyA, cfg, c -> {}, null, new SecureRandom(), Clock.systemUTC());
    b =
        new QuicTransport(
            loopB,
            keyB,
            cfg,
            c -> c.inboundStreamHandler(s -> StreamNegotiator.listen(s, registry, schedB, 5000)),
            null,
            new SecureRandom(),
            Clock.systemUTC());
    bAddr = b.listen(Multiaddr.parse("/ip4/127.0.0.1/udp/0/quic-v1")).get(10, TimeUnit.SECONDS);
    conn = a.dial(bAddr, bId, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
    chunk = io.netty.buffer.Unpooled.directBuffer(writeSize);
    chunk.writeZero(writeSize);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    chunk.release();
    a.closeAsync().await(5, TimeUnit.SECONDS);
    b.closeAsync().await(5, TimeUnit.SECONDS);
    groupA.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    groupB.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  /** The receiver: counts and drops bytes; answers FIN with FIN. */
  static void sink(MuxedStream s, ByteBuf leftover) {
    leftover.release();
    s.handler(
        new StreamHandler() {
          @Override
          public void onData(MuxedStream st, ByteBuf data) {
            data.release();
          }

          @Override
          public void onRemoteClose(MuxedStream st) {
            st.closeWrite();
          }
        });
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void transfer32MiB() throws Exception {
    Promise<Void> done = loopA.newPromise();
    loopA.execute(
        () ->
            conn.openStream()
                .addListener(
                    (Future<MuxedStream> f) -> {
                      if (!f.isSuccess()) {
                        done.tryFailure(f.cause());
                        return;
                      }
                      StreamNegotiator.select(
                          f.getNow(),
                          List.of(SINK),
                          Scheduler.of(loopA),
                          5000,
                          new StreamNegotiator.SelectCallback() {
                            @Override
                            public void selected(MuxedStream s, String p, ByteBuf leftover) {
                              leftover.release();
                              new Sender(s, done).pump();
                            }

                            @Override
                            public void failed(MuxedStream s, String reason) {
                              done.tryFailure(new IllegalStateException(reason));
                            }
                          });
                    }));
    done.get(60, TimeUnit.SECONDS);
  }

  /** Writes TOTAL bytes while the stream is writable, then FIN; done at the receiver's FIN. */
  private final class Sender implements StreamHandler {
    final MuxedStream s;
    final Promise<Void> done;
    long left = TOTAL;

    Sender(MuxedStream s, Promise<Void> done) {
      this.s = s;
      this.done = done;
      s.handler(this);
    }

    void pump() {
      while (left > 0 && s.isWritable()) {
        int n = (int) Math.min(writeSize, left);
        s.write(chunk.retainedSlice(0, n));
        left -= n;
      }
      if (left == 0) {
        left = -1;
        s.closeWrite();
      }
    }

    @Override
    public void onData(MuxedStream st, ByteBuf data) {
      data.release();
    }

    @Override
    public void onWritabilityChanged(MuxedStream st) {
      if (left > 0) {
        pump();
      }
    }

    @Override
    public void onRemoteClose(MuxedStream st) {
      done.trySuccess(null);
    }

    @Override
    public void onReset(MuxedStream st, String reason) {
      done.tryFailure(new IllegalStateException(reason));
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void handshake() throws Exception {
    Connection c = a.dial(bAddr, bId, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
    loopA.submit(() -> c.close("bench")).get(5, TimeUnit.SECONDS);
  }
}
