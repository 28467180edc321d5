package io.leanp2p.testing;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.node.swarm.ConnectedPeer;
import io.leanp2p.node.swarm.Swarm;
import io.leanp2p.node.swarm.SwarmConfig;
import io.leanp2p.node.swarm.SwarmListener;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.Transport;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.config.QuicConfig;
import io.leanp2p.transport.quic.QuicInteropSupport;
import io.leanp2p.transport.quic.QuicTransport;
import io.leanp2p.transport.tcp.EchoProtocol;
import io.leanp2p.config.TcpConfig;
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
 * and key, the transport under a {@link Swarm} (peer table, dialing, duplicate rule), identify,
 * ping (also QUIC's keep-alive probe) and the test echo protocol. Peer events are queued for the
 * test thread.
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
  public final Ping ping = new Ping(sched, new Random(1), 10_000);
  public final T transport;
  public final Swarm swarm;
  public final ProtocolRegistry registry;
  public final Identify identify;
  public final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  public volatile Multiaddr listenAddr;

  private final String listenOn;
  private final ToIntFunction<Connection> openStreams;
  private final Consumer<T> awaitTransportClosed;

  /** A TCP node (multistream, Noise XX, Yamux) with default configs. */
  public static TestNode<TcpTransport> tcp() {
    return tcp(TcpConfig.defaults(), SwarmConfig.defaults());
  }

  public static TestNode<TcpTransport> tcp(TcpConfig cfg, SwarmConfig swarmCfg) {
    return new TestNode<>(
        "/ip4/127.0.0.1/tcp/0",
        swarmCfg,
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
        SwarmConfig.defaults(),
        (loop, key, sched, ping, listener) ->
            new QuicTransport(loop, key, cfg, listener, ping::ping, new SecureRandom(), Clock.systemUTC()),
        QuicInteropSupport::openStreams,
        quic -> quic.closeAsync().awaitUninterruptibly(5, TimeUnit.SECONDS));
  }

  private TestNode(
      String listenOn,
      SwarmConfig swarmCfg,
      TransportFactory<T> factory,
      ToIntFunction<Connection> openStreams,
      Consumer<T> awaitTransportClosed) {
    this.listenOn = listenOn;
    this.openStreams = openStreams;
    this.awaitTransportClosed = awaitTransportClosed;
    List<T> made = new java.util.ArrayList<>();
    swarm = new Swarm(id, sched, loop, swarmCfg, listener -> {
      made.add(factory.create(loop, key, sched, ping, listener));
      return List.copyOf(made);
    });
    transport = made.get(0);
    swarm.setListener(new QueueingEvents());
    registry = swarm.protocols();
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
    listenAddr = await(() -> swarm.listen(Multiaddr.parse(listenOn)), Duration.ofSeconds(10));
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
      loop.submit(() -> swarm.close()).get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
      awaitTransportClosed.accept(transport);
    } catch (Exception e) {
      // fall through to shutdown
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The live connection to {@code peer} (call on the loop). */
  public java.util.Optional<Connection> connection(PeerId peer) {
    return swarm.peers().connection(peer);
  }

  /** Every connection the peer table owns (call on the loop). */
  public java.util.Collection<Connection> connections() {
    return swarm.peers().connections();
  }

  /**
   * Waits until every connection this node's peer table owns is a live one: the losers of the
   * duplicate rule have drained and closed.
   */
  public void awaitDuplicatesClosed(Duration timeout) throws Exception {
    List<Future<Void>> closing = onLoop(() -> {
      List<Future<Void>> out = new java.util.ArrayList<>();
      for (Connection c : swarm.peers().connections()) {
        if (swarm.peers().connection(c.remotePeer()).orElse(null) != c) {
          out.add(c.closeFuture());
        }
      }
      return out;
    });
    for (Future<Void> f : closing) {
      if (!f.await(timeout.toMillis())) {
        throw new AssertionError("a duplicate connection did not close within " + timeout);
      }
    }
  }

  /** Dials through the swarm (call on the loop). */
  public Future<Connection> dial(Multiaddr addr, Duration timeout) {
    return swarm.dial(addr, timeout);
  }

  /** Queues every peer event for the test thread. */
  private final class QueueingEvents implements SwarmListener {
    @Override
    public void peerConnected(ConnectedPeer p) {
      events.add(new Event("connected", p.peer(), p.address().toString(), p.direction().wireName(), null));
    }

    @Override
    public void peerDisconnected(ConnectedPeer p, CloseReason r) {
      events.add(new Event("disconnected", p.peer(), p.address().toString(), p.direction().wireName(), r));
    }

    @Override
    public void dialFailed(Multiaddr addr, PeerId expected, CloseReason r) {
      events.add(new Event("dialFailed", expected, addr.toString(), "outbound", r));
    }
  }
}
