package io.leanp2p.testing;

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
import io.leanp2p.transport.Transport;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.quic.QuicConfig;
import io.leanp2p.transport.quic.QuicInteropSupport;
import io.leanp2p.transport.quic.QuicTransport;
import io.leanp2p.transport.tcp.EchoProtocol;
import io.leanp2p.transport.tcp.TcpConfig;
import io.leanp2p.transport.tcp.TcpInteropSupport;
import io.leanp2p.transport.tcp.TcpTransport;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * One Java network for tests over one transport ({@link #tcp()} or {@link #quic()}): its own loop
 * and key, the transport under a connection manager, identify, ping (also QUIC's keep-alive probe)
 * and the test echo protocol. Connection events are queued for the test thread.
 *
 * @param <T> the transport type, so tests can read its counters ({@link #transport})
 */
public final class TestNode<T extends Transport> implements AutoCloseable {
  /** A connection event as seen from the test thread. */
  public record Event(String kind, PeerId peer, String addr, String direction, CloseReason reason) {}

  /** Builds the node's transport on its loop; {@code ping} is ready for a keep-alive hook. */
  @FunctionalInterface
  private interface TransportFactory<T extends Transport> {
    T create(EventLoop loop, PrivateKey key, Scheduler sched, Ping ping, Transport.ConnectionListener listener);
  }

  public final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  public final EventLoop loop = group.next();
  public final Scheduler sched = Scheduler.of(loop);
  public final PrivateKey key = Secp256k1PrivateKey.generate(new SecureRandom());
  public final PeerId id = PeerId.fromPublicKey(key.publicKey());
  public final ProtocolRegistry registry = new ProtocolRegistry();
  public final Ping ping = new Ping(sched, new Random(1), 10_000);
  public final T transport;
  public final ConnectionManager cm;
  public final Identify identify;
  public final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  public volatile Multiaddr listenAddr;

  private final String listenOn;
  private final ToIntFunction<Connection> openStreams;
  private final Consumer<T> awaitTransportClosed;

  /** A TCP node (multistream, Noise XX, Yamux) with default configs. */
  public static TestNode<TcpTransport> tcp() {
    return tcp(TcpConfig.defaults(), ConnectionManagerConfig.defaults());
  }

  public static TestNode<TcpTransport> tcp(TcpConfig cfg, ConnectionManagerConfig cmCfg) {
    return new TestNode<>(
        "/ip4/127.0.0.1/tcp/0",
        cmCfg,
        (loop, key, sched, ping, listener) -> new TcpTransport(loop, key, cfg, listener, sched, new SecureRandom()),
        TcpInteropSupport::openStreams,
        tcp -> {});
  }

  /** A QUIC v1 node with the default config. */
  public static TestNode<QuicTransport> quic() {
    return quic(QuicConfig.defaults());
  }

  /** A QUIC v1 node whose keep-alive probe is a libp2p ping on quiet connections. */
  public static TestNode<QuicTransport> quic(QuicConfig cfg) {
    return new TestNode<>(
        "/ip4/127.0.0.1/udp/0/quic-v1",
        ConnectionManagerConfig.defaults(),
        (loop, key, sched, ping, listener) ->
            new QuicTransport(loop, key, cfg, listener, ping::ping, new SecureRandom(), Clock.systemUTC()),
        QuicInteropSupport::openStreams,
        quic -> quic.closeAsync().awaitUninterruptibly(5, TimeUnit.SECONDS));
  }

  private TestNode(
      String listenOn,
      ConnectionManagerConfig cmCfg,
      TransportFactory<T> factory,
      ToIntFunction<Connection> openStreams,
      Consumer<T> awaitTransportClosed) {
    this.listenOn = listenOn;
    this.openStreams = openStreams;
    this.awaitTransportClosed = awaitTransportClosed;
    ConnectionManager[] holder = new ConnectionManager[1];
    transport = factory.create(loop, key, sched, ping, c -> holder[0].onConnection(c));
    cm = new ConnectionManager(id, List.of(transport), registry, sched, new QueueingEvents(), cmCfg);
    holder[0] = cm;
    ping.register(registry);
    identify = new Identify(key, () -> listenAddr == null ? List.of() : List.of(listenAddr), registry, sched, 10_000);
    identify.register();
    registry.register(EchoProtocol.ID, new EchoProtocol());
  }

  /** Runs {@code c} on the loop and waits for its result. */
  public <V> V onLoop(Callable<V> c) throws Exception {
    return loop.submit(c).get(30, TimeUnit.SECONDS);
  }

  /** Runs a loop-side action returning a future and waits for that future. */
  public <V> V await(Callable<Future<V>> c, Duration timeout) throws Exception {
    Future<V> f = onLoop(c);
    if (!f.await(timeout.toMillis())) {
      throw new AssertionError("timed out after " + timeout);
    }
    if (!f.isSuccess()) {
      throw new ExecutionException(f.cause());
    }
    return f.getNow();
  }

  /** Listens on 127.0.0.1 with a free port and remembers the bound address. */
  public Multiaddr listen() throws Exception {
    listenAddr = await(() -> cm.listen(Multiaddr.parse(listenOn)), Duration.ofSeconds(10));
    return listenAddr;
  }

  /** The listen address with our {@code /p2p/} id. */
  public Multiaddr p2pAddr() {
    return listenAddr.withP2p(id.toBytes());
  }

  /** The next event of {@code kind}, skipping events of other kinds. */
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

  /** Streams currently open on {@code c}, one of this node's connections (call on the loop). */
  public int openStreams(Connection c) {
    return openStreams.applyAsInt(c);
  }

  @Override
  public void close() {
    try {
      loop.submit(cm::close).get(5, TimeUnit.SECONDS);
      awaitTransportClosed.accept(transport);
    } catch (Exception e) {
      // fall through to shutdown
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Queues every connection event for the test thread. */
  private final class QueueingEvents implements ConnectionEvents {
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
  }
}
