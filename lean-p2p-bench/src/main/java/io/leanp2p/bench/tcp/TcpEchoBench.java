package io.leanp2p.bench.tcp;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.config.TcpConfig;
import io.leanp2p.transport.tcp.TcpTransport;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * End-to-end Java↔Java echo over loopback TCP through Noise + Yamux, each side on its own event
 * loop (two networks). One operation sends {@link #TOTAL} bytes on one stream in writes of
 * {@code writeSize} (respecting writability) and waits until all of it came back. Payload MB/s
 * (one direction) = ops/s × 16 MiB.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TcpEchoBench {
  static final String ECHO = "/bench/echo/1.0.0";
  static final int TOTAL = 16 * 1024 * 1024;

  @Param({"65536", "1048576"})
  public int writeSize;

  private MultiThreadIoEventLoopGroup g1;
  private MultiThreadIoEventLoopGroup g2;
  private EventLoop clientLoop;
  private TcpTransport server;
  private TcpTransport client;
  private MuxedStream stream;
  private Sender sender;
  private ByteBuf payload;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    g1 = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    g2 = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoop serverLoop = (EventLoop) g1.next();
    clientLoop = (EventLoop) g2.next();
    ProtocolRegistry reg = new ProtocolRegistry();
    reg.register(ECHO, (s, left) -> {
      StreamHandler h = new StreamHandler() {
        @Override
        public void onData(MuxedStream st, ByteBuf d) {
          st.write(d);
          if (!st.isWritable()) {
            st.setReadPaused(true);
          }
        }

        @Override
        public void onWritabilityChanged(MuxedStream st) {
          st.setReadPaused(!st.isWritable());
        }
      };
      s.handler(h);
      if (left.isReadable()) h.onData(s, left); else left.release();
    });
    Scheduler ss = Scheduler.of(serverLoop);
    SecureRandom rnd = new SecureRandom();
    server = new TcpTransport(serverLoop, Secp256k1PrivateKey.generate(rnd), TcpConfig.defaults(),
        c -> c.inboundStreamHandler(s -> StreamNegotiator.listen(s, reg, ss, 10_000)), ss, rnd);
    client = new TcpTransport(clientLoop, Secp256k1PrivateKey.generate(rnd), TcpConfig.defaults(), c -> {}, Scheduler.of(clientLoop), rnd);
    Multiaddr addr = serverLoop.submit(() -> server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))).get().get(5, TimeUnit.SECONDS);
    Connection c = clientLoop.submit(() -> client.dial(addr, null, Duration.ofSeconds(5))).get().get(5, TimeUnit.SECONDS);
    byte[] b = new byte[writeSize];
    rnd.nextBytes(b);
    payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(writeSize).writeBytes(b));
    CompletableFuture<MuxedStream> ready = new CompletableFuture<>();
    clientLoop.execute(() -> c.openStream().addListener(f -> {
      MuxedStream s = (MuxedStream) f.getNow();
      StreamNegotiator.select(s, List.of(ECHO), Scheduler.of(clientLoop), 10_000, new StreamNegotiator.SelectCallback() {
        @Override
        public void selected(MuxedStream st, String p, ByteBuf left) {
          left.release();
          sender = new Sender();
          st.handler(sender);
          ready.complete(st);
        }

        @Override
        public void failed(MuxedStream st, String reason) {
          ready.completeExceptionally(new IllegalStateException(reason));
        }
      });
    }));
    stream = ready.get(5, TimeUnit.SECONDS);
  }

  final class Sender implements StreamHandler {
    long toSend;
    long toReceive;
    CompletableFuture<Void> done;

    void start(CompletableFuture<Void> d) {
      done = d;
      toSend = TOTAL;
      toReceive = TOTAL;
      pump(stream);
    }

    void pump(MuxedStream s) {
      while (toSend > 0 && s.isWritable()) {
        int n = (int) Math.min(writeSize, toSend);
        s.write(payload.retainedSlice(0, n));
        toSend -= n;
      }
    }

    @Override
    public void onData(MuxedStream s, ByteBuf d) {
      toReceive -= d.readableBytes();
      d.release();
      if (toReceive == 0) {
        done.complete(null);
      }
    }

    @Override
    public void onWritabilityChanged(MuxedStream s) {
      pump(s);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void echo16MiB() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    clientLoop.execute(() -> sender.start(done));
    done.get(60, TimeUnit.SECONDS);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    server.close();
    g1.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    g2.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
