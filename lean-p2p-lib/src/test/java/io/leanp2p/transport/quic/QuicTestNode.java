package io.leanp2p.transport.quic;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.transport.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionEvents;
import io.leanp2p.transport.ConnectionManager;
import io.leanp2p.transport.ConnectionManagerConfig;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.tcp.EchoProtocol;
import io.leanp2p.util.Scheduler;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One Java network for QUIC tests: its own loop and key, the QUIC transport under the connection
 * manager, identify, ping (also the keep-alive probe) and the test echo protocol.
 */
public final class QuicTestNode implements AutoCloseable {
  /** A connection event as seen from the test thread. */
  public record Event(String kind, PeerId peer, String addr, String direction, CloseReason reason) {}

  public final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  public final EventLoop loop = group.next();
  public final Scheduler sched = Scheduler.of(loop);
  public final PrivateKey key;
  public final PeerId id;
  public final ProtocolRegistry registry = new ProtocolRegistry();
  public final QuicTransport quic;
  public final ConnectionManager cm;
  public final Ping ping;
  public final Identify identify;
  public final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  public volatile Multiaddr listenAddr;

  public QuicTestNode() {
    this(QuicConfig.defaults());
  }

  public QuicTestNode(QuicConfig cfg) {
    key = Secp256k1PrivateKey.generate(new SecureRandom());
    id = PeerId.fromPublicKey(key.publicKey());
    ConnectionManager[] holder = new ConnectionManager[1];
    ping = new Ping(sched, new Random(1), 10_000);
    quic =
        new QuicTransport(
            loop,
            key,
            cfg,
            c -> holder[0].onConnection(c),
            c -> ping.ping(c), // keep-alive: a libp2p ping on quiet connections
            new SecureRandom(),
            Clock.systemUTC());
    ConnectionEvents ev =
        new ConnectionEvents() {
          @Override
          public void connected(Connection c) {
            events.add(new Event("connected", c.remotePeer(), c.remoteAddress().toString(), c.direction().wireName(), null));
          }

          @Override
          public void disconnected(Connection c, CloseReason r) {
            events.add(new Event("disconnected", c.remotePeer(), c.remoteAddress().toString(), c.direction().wireName(), r));
          }

          @Override
          public void dialFailed(Multiaddr addr, PeerId expected, CloseReason r) {
            events.add(new Event("dialFailed", expected, addr.toString(), "outbound", r));
          }
        };
    cm = new ConnectionManager(id, List.of(quic), registry, sched, ev, ConnectionManagerConfig.defaults());
    holder[0] = cm;
    ping.register(registry);
    identify = new Identify(key, () -> listenAddr == null ? List.of() : List.of(listenAddr), registry, sched, 10_000);
    identify.register();
    registry.register(EchoProtocol.ID, new EchoProtocol());
  }

  public <T> T onLoop(Callable<T> c) throws Exception {
    return loop.submit(c).get(30, TimeUnit.SECONDS);
  }

  /** Runs a loop-side action returning a future and waits for that future. */
  public <T> T await(Callable<Future<T>> c, Duration timeout) throws Exception {
    Future<T> f = onLoop(c);
    if (!f.await(timeout.toMillis())) {
      throw new AssertionError("timed out after " + timeout);
    }
    if (!f.isSuccess()) {
      throw new java.util.concurrent.ExecutionException(f.cause());
    }
    return f.getNow();
  }

  public Multiaddr listen() throws Exception {
    listenAddr = await(() -> cm.listen(Multiaddr.parse("/ip4/127.0.0.1/udp/0/quic-v1")), Duration.ofSeconds(10));
    return listenAddr;
  }

  public Multiaddr p2pAddr() {
    return listenAddr.withP2p(id.toBytes());
  }

  public Event awaitEvent(String kind, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      Event e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new AssertionError("no " + kind + " event within " + timeout);
      }
      if (e.kind().equals(kind)) {
        return e;
      }
    }
  }

  /** Streams currently open on {@code c} (read on the loop). */
  public static int openStreams(Connection c) {
    return ((QuicConnection) c).openStreams();
  }

  @Override
  public void close() {
    try {
      loop.submit(cm::close).get(5, TimeUnit.SECONDS);
      quic.closeAsync().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // fall through to shutdown
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
