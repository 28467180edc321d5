package io.leanp2p.transport.quic;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.config.AdmissionConfig;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.EventLoops;
import io.leanp2p.transport.InboundAdmission;
import io.leanp2p.transport.PipelineErrors;
import io.leanp2p.transport.Transport;
import io.leanp2p.types.TransportKind;
import io.leanp2p.transport.quic.CertificateRejectedException.Reason;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.codec.quic.QuicTokenHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.leanp2p.config.QuicConfig;

/**
 * QUIC v1 with libp2p TLS 1.3 (ALPN {@value #ALPN}, mutual authentication) on Netty's native
 * QUIC. Streams are native QUIC bidirectional streams, exposed as {@link
 * io.leanp2p.transport.MuxedStream}s; protocols negotiate with multistream-select on each.
 *
 * <p>Every channel (listening UDP sockets, the client endpoint all dials share, QUIC connections
 * and streams) lives on the one {@link EventLoop} given at construction; all state here is touched
 * only there (public methods hop onto the loop). The UDP sockets are epoll channels on an epoll
 * loop and NIO channels on a NIO loop ({@link EventLoops}). Dials go out through one client
 * endpoint per address family (one UDP socket and one QUIC client codec), bound on the first dial
 * and closed with the transport.
 *
 * <p>Each listener and each dial gets a fresh P-256 TLS key and certificate signed by the identity
 * key ({@link Libp2pTls}); the peer's PeerId is taken from the certificate of that very
 * connection's TLS session.
 *
 * <p>Keep-alive: Netty 4.2.18 exposes no way to send a QUIC PING frame (quiche's {@code
 * send_ack_eliciting} is not bound), so a quiet connection is kept alive through the {@link
 * KeepAlive} hook (e.g. a libp2p ping on a fresh stream), called every {@link
 * QuicConfig#keepAliveInterval()} in which nothing arrived on the connection.
 */
public final class QuicTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(QuicTransport.class);

  /** The TLS ALPN protocol of libp2p over QUIC. */
  public static final String ALPN = "libp2p";

  private static final AttributeKey<QuicConnection> CONNECTION =
      AttributeKey.valueOf(QuicTransport.class, "connection");
  private static final AttributeKey<PeerId> EXPECTED_PEER =
      AttributeKey.valueOf(QuicTransport.class, "expectedPeer");

  /** Keeps a quiet connection alive, e.g. by a libp2p ping; called on the event loop. */
  @FunctionalInterface
  public interface KeepAlive {
    void probe(Connection connection);
  }

  private final EventLoop loop;
  private final io.leanp2p.crypto.PrivateKey identity;
  private final QuicConfig cfg;
  private final ConnectionListener listener;
  private final KeepAlive keepAlive;
  private final SecureRandom random;
  private final Clock clock;
  private final ChannelHandler inboundStreams = new StreamInitializer(Direction.INBOUND);
  private final ChannelHandler outboundStreams = new StreamInitializer(Direction.OUTBOUND);
  private final Libp2pTrustManager trust;
  private final InboundAdmission admission;
  private final PipelineErrors errors;
  private QuicSslContext clientSsl;
  private java.time.Instant clientSslCreated;
  private ChannelFuture clientUdp4;
  private ChannelFuture clientUdp6;

  // ---- loop-owned state ----
  private final List<Channel> listeners = new ArrayList<>();
  private final Set<QuicConnection> connections = new LinkedHashSet<>();
  private final Set<Dial> dialsInFlight = new LinkedHashSet<>();
  private final Map<Reason, Long> certRejections = new EnumMap<>(Reason.class);
  private boolean closed;
  private long dials;
  private long dialsSucceeded;
  private long dialsFailed;
  private long inboundAccepted;
  private long inboundRejected;
  private long handshakeFailures;
  private long idleTimeouts;
  private long keepAliveProbes;
  private long streamsOpened;
  private long pendingStreamsDropped;
  private int openStreams;
  private int openUdpChannels;
  private final java.util.Set<QuicConnection> handshaking = new java.util.HashSet<>();
  private volatile QuicTransportStats stats;

  /** A transport with lean defaults for randomness and time and no keep-alive hook. */
  public QuicTransport(
      EventLoop loop,
      io.leanp2p.crypto.PrivateKey identity,
      QuicConfig cfg,
      ConnectionListener listener) {
    this(loop, identity, cfg, listener, null, new SecureRandom(), Clock.systemUTC());
  }

  /** With an admission of its own at the default limits. */
  public QuicTransport(
      EventLoop loop,
      io.leanp2p.crypto.PrivateKey identity,
      QuicConfig cfg,
      ConnectionListener listener,
      KeepAlive keepAlive,
      SecureRandom random,
      Clock clock) {
    this(loop, identity, cfg, listener, keepAlive, random, clock,
        new InboundAdmission(AdmissionConfig.defaults(), io.leanp2p.util.Scheduler.of(loop)));
  }

  /**
   * @param keepAlive called for quiet connections every {@code cfg.keepAliveInterval()}; null
   *     disables keep-alive probes (the QUIC idle timeout still applies)
   * @param random source of TLS keys and certificate serials
   * @param clock wall clock for certificate validity
   * @param admission admission of inbound connections (shared with the network's other transports)
   */
  public QuicTransport(
      EventLoop loop,
      io.leanp2p.crypto.PrivateKey identity,
      QuicConfig cfg,
      ConnectionListener listener,
      KeepAlive keepAlive,
      SecureRandom random,
      Clock clock,
      InboundAdmission admission) {
    this.admission = admission;
    this.errors = new PipelineErrors("quic", loop.ticker()::nanoTime);
    this.loop = loop;
    this.identity = identity;
    this.cfg = cfg;
    this.listener = listener;
    this.keepAlive = keepAlive;
    this.random = random;
    this.clock = clock;
    this.trust = new Libp2pTrustManager(clock, this::countRejection);
    publish();
  }

  @Override
  public TransportKind kind() {
    return TransportKind.QUIC;
  }

  @Override
  public boolean handles(Multiaddr addr) {
    return addr != null && addr.isQuic();
  }

  QuicConfig config() {
    return cfg;
  }

  /** Failures caught on this transport's channels, by kind (any thread). */
  public io.leanp2p.transport.EnumCounters<PipelineErrors.Kind> errorCounters() {
    return errors.counters();
  }

  /** The latest counters (any thread). */
  public QuicTransportStats stats() {
    return stats;
  }

  // ---------------------------------------------------------------- listen

  @Override
  public Future<Multiaddr> listen(Multiaddr addr) {
    Promise<Multiaddr> p = loop.newPromise();
    onLoop(() -> doListen(addr, p));
    return p;
  }

  private void doListen(Multiaddr addr, Promise<Multiaddr> p) {
    if (closed) {
      p.tryFailure(new IllegalStateException("transport closed"));
      return;
    }
    final InetSocketAddress bindTo;
    final ChannelHandler codec;
    try {
      if (!handles(addr)) {
        throw new IllegalArgumentException("not a QUIC address: " + addr);
      }
      bindTo = addr.toSocketAddress();
      CertAndKey ck = Libp2pTls.generate(identity, random, clock.instant());
      QuicSslContext ssl =
          QuicSslContextBuilder.forServer(CertificateKeyManager.factory(ck), null) // no PKCS#12 store
              .clientAuth(ClientAuth.REQUIRE)
              .trustManager(trust)
              .applicationProtocols(ALPN)
              .build();
      codec =
          common(new QuicServerCodecBuilder())
              .sslContext(ssl)
              .tokenHandler(NoRetry.INSTANCE)
              .handler(new InboundConnectionInitializer())
              .streamHandler(inboundStreams)
              .build();
    } catch (RuntimeException e) {
      p.tryFailure(e);
      return;
    }
    ChannelFuture bind = udpBootstrap(codec).bind(bindTo);
    bind.addListener(
        f -> {
          if (!f.isSuccess()) {
            p.tryFailure(f.cause());
            return;
          }
          Channel udp = bind.channel();
          trackUdp(udp);
          if (closed) {
            udp.close();
            p.tryFailure(new IllegalStateException("transport closed"));
            return;
          }
          listeners.add(udp);
          udp.closeFuture().addListener(x -> listeners.remove(udp));
          p.trySuccess(Multiaddr.quic((InetSocketAddress) udp.localAddress()));
        });
  }

  /** Per inbound QUIC connection: owns it from the first packet. */
  private final class InboundConnectionInitializer extends ChannelInitializer<QuicChannel> {
    @Override
    protected void initChannel(QuicChannel ch) {
      errors.attach(ch);
      if (!admission.admit(ch, (InetSocketAddress) ch.remoteSocketAddress(), false)) {
        return;
      }
      QuicConnection conn = new QuicConnection(QuicTransport.this, ch, Direction.INBOUND);
      ch.attr(CONNECTION).set(conn);
      ch.pipeline().addLast(new ConnectionHandler(conn));
      // until its handshake is done an inbound connection is in no other list: keep it here so
      // that close() can send it a CONNECTION_CLOSE before the listener socket goes away
      handshaking.add(conn);
      ch.closeFuture().addListener(f -> handshaking.remove(conn));
    }
  }

  private void onInboundHandshakeDone(QuicConnection conn) {
    handshaking.remove(conn);
    QuicChannel ch = conn.channel();
    InboundAdmission.upgraded(ch); // no longer pending
    if (closed || connections.size() >= cfg.maxConnections()) {
      inboundRejected++;
      publish();
      conn.closeWith(
          CloseReason.of(CloseReason.Kind.REFUSED, closed ? "transport closed" : "connection limit"));
      return;
    }
    PeerId peer;
    try {
      peer = peerOf(ch);
    } catch (CertificateRejectedException e) {
      countRejection(e);
      conn.closeWith(CloseReason.of(CloseReason.Kind.HANDSHAKE_FAILED, e.getMessage()));
      return;
    }
    InetSocketAddress remote = (InetSocketAddress) ch.remoteSocketAddress();
    conn.establish(
        peer,
        Multiaddr.quic(remote).withP2p(peer.toBytes()),
        Multiaddr.quic((InetSocketAddress) ch.localSocketAddress()));
    connections.add(conn);
    inboundAccepted++;
    publish();
    startKeepAlive(conn);
    notifyListener(conn);
  }

  // ---------------------------------------------------------------- dial

  @Override
  public Future<Connection> dial(Multiaddr addr, PeerId expected, Duration timeout) {
    Promise<Connection> p = loop.newPromise();
    onLoop(() -> doDial(addr, expected, timeout, p));
    return p;
  }

  /** One dial in flight. */
  private final class Dial {
    final Promise<Connection> promise;
    final Multiaddr addr;
    final PeerId expected;
    Channel udp;
    QuicConnection conn;
    ScheduledFuture<?> timer;
    boolean done;

    Dial(Promise<Connection> promise, Multiaddr addr, PeerId expected) {
      this.promise = promise;
      this.addr = addr;
      this.expected = expected;
    }

    void fail(CloseReason reason, Throwable cause) {
      if (done) {
        return;
      }
      done = true;
      dialsInFlight.remove(this);
      if (timer != null) {
        timer.cancel(false);
      }
      dialsFailed++;
      publish();
      if (conn != null) {
        conn.closeWith(reason);
      }
      log.debug("dial {} failed: {}", addr, reason);
      promise.tryFailure(new ConnectionException(reason, cause));
    }
  }

  private void doDial(Multiaddr addr, PeerId expected, Duration timeout, Promise<Connection> p) {
    dials++;
    Dial d = new Dial(p, addr, expected);
    if (closed) {
      d.fail(CloseReason.of(CloseReason.Kind.REFUSED, "transport closed"), null);
      return;
    }
    if (!handles(addr)) {
      d.fail(CloseReason.of(CloseReason.Kind.REFUSED, "not a QUIC address: " + addr), null);
      return;
    }
    if (connections.size() + dialsInFlight.size() >= cfg.maxConnections()) {
      d.fail(CloseReason.of(CloseReason.Kind.REFUSED, "connection limit"), null);
      return;
    }
    final InetSocketAddress remote;
    final ChannelFuture endpoint;
    try {
      remote = addr.toSocketAddress();
      endpoint = clientEndpoint(remote.getAddress() instanceof Inet4Address);
    } catch (RuntimeException e) {
      d.fail(CloseReason.of(CloseReason.Kind.REFUSED, e.getMessage()), e);
      return;
    }
    dialsInFlight.add(d);
    long limitMs = Math.min(cfg.handshakeTimeout().toMillis(), Math.max(1, timeout.toMillis()));
    d.timer =
        loop.schedule(
            () -> d.fail(CloseReason.of(CloseReason.Kind.TIMEOUT, "handshake not done in " + limitMs + " ms"), null),
            limitMs,
            TimeUnit.MILLISECONDS);
    if (endpoint.isDone()) {
      connectVia(d, endpoint, remote);
    } else {
      endpoint.addListener(f -> connectVia(d, endpoint, remote));
    }
  }

  /** Starts the QUIC handshake of {@code d} on the (bound) client endpoint. */
  private void connectVia(Dial d, ChannelFuture endpoint, InetSocketAddress remote) {
    if (!endpoint.isSuccess()) {
      d.fail(CloseReason.of(CloseReason.Kind.IO_ERROR, "bind: " + endpoint.cause()), endpoint.cause());
      return;
    }
    if (d.done) {
      return;
    }
    d.udp = endpoint.channel();
    QuicChannel.newBootstrap(d.udp)
        // the dial's expected PeerId, read by the endpoint's engine provider for this connection
        .attr(EXPECTED_PEER, d.expected)
        .handler(
            new ChannelInitializer<QuicChannel>() {
              @Override
              protected void initChannel(QuicChannel ch) {
                errors.attach(ch);
                QuicConnection conn = new QuicConnection(QuicTransport.this, ch, Direction.OUTBOUND);
                ch.attr(CONNECTION).set(conn);
                d.conn = conn;
                ch.pipeline().addLast(new ConnectionHandler(conn));
              }
            })
        .streamHandler(inboundStreams)
        .remoteAddress(remote)
        .connect()
        .addListener((Future<QuicChannel> cf) -> onDialConnected(d, cf));
  }

  /**
   * The UDP endpoint all dials of one address family share: one socket and one client QUIC codec
   * (one native quiche config, whose creation loads the system CA store that libp2p TLS never
   * uses: ~5 ms per dial when each dial had its own) for every outbound connection, as quinn and
   * quic-go do. Connections are told apart by their connection ids. Bound on first use; if the
   * socket ever closes, the next dial binds a new one.
   */
  private ChannelFuture clientEndpoint(boolean ipv4) {
    ChannelFuture f = ipv4 ? clientUdp4 : clientUdp6;
    if (f != null && (!f.isDone() || (f.isSuccess() && f.channel().isOpen()))) {
      return f;
    }
    ChannelHandler codec =
        common(new QuicClientCodecBuilder())
            // each connection's engine carries the PeerId its dial expects, checked during the
            // handshake (the context is renewed daily; each engine takes the current one)
            .sslEngineProvider(
                ch -> {
                  var engine = clientSsl().newEngine(ch.alloc());
                  PeerId expected = ch.attr(EXPECTED_PEER).get();
                  if (expected != null) {
                    engine.getSession().putValue(Libp2pTrustManager.EXPECTED, expected);
                  }
                  return engine;
                })
            .build();
    InetSocketAddress local = new InetSocketAddress(ipv4 ? "0.0.0.0" : "::", 0);
    ChannelFuture bind = udpBootstrap(codec).bind(local);
    trackUdp(bind.channel());
    if (ipv4) {
      clientUdp4 = bind;
    } else {
      clientUdp6 = bind;
    }
    return bind;
  }

  private void onDialConnected(Dial d, Future<QuicChannel> cf) {
    if (!cf.isSuccess()) {
      handshakeFailures++;
      d.fail(classify(d, cf.cause()), cf.cause());
      return;
    }
    QuicChannel ch = cf.getNow();
    if (d.done) {
      ch.close();
      return;
    }
    PeerId peer;
    try {
      peer = peerOf(ch);
      if (d.expected != null && !d.expected.equals(peer)) {
        CertificateRejectedException e =
            new CertificateRejectedException(
                Reason.PEER_ID_MISMATCH, "dialed " + d.expected + " but the peer proved " + peer);
        countRejection(e);
        throw e;
      }
    } catch (CertificateRejectedException e) {
      handshakeFailures++;
      d.fail(reasonOf(e), e);
      return;
    }
    if (closed) {
      d.fail(CloseReason.of(CloseReason.Kind.REFUSED, "transport closed"), null);
      return;
    }
    d.done = true;
    d.timer.cancel(false);
    dialsInFlight.remove(d);
    QuicConnection conn = d.conn;
    conn.establish(
        peer,
        Multiaddr.quic((InetSocketAddress) ch.remoteSocketAddress()).withP2p(peer.toBytes()),
        Multiaddr.quic((InetSocketAddress) d.udp.localAddress()));
    connections.add(conn);
    dialsSucceeded++;
    publish();
    startKeepAlive(conn);
    notifyListener(conn);
    if (!d.promise.trySuccess(conn)) {
      conn.close("dial cancelled");
    }
  }

  private static CloseReason reasonOf(CertificateRejectedException e) {
    return CloseReason.of(
        e.reason() == Reason.PEER_ID_MISMATCH
            ? CloseReason.Kind.PEER_ID_MISMATCH
            : CloseReason.Kind.HANDSHAKE_FAILED,
        e.getMessage());
  }

  private static CloseReason classify(Dial d, Throwable cause) {
    Object rejected = d.conn == null ? null : sessionValue(d.conn.channel(), Libp2pTrustManager.REJECTION);
    if (rejected instanceof CertificateRejectedException e) {
      return reasonOf(e);
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return CloseReason.of(CloseReason.Kind.HANDSHAKE_FAILED, String.valueOf(t.getMessage()));
      }
      if (t instanceof io.netty.channel.ConnectTimeoutException
          || t instanceof io.netty.handler.codec.quic.QuicTimeoutClosedChannelException) {
        return CloseReason.of(CloseReason.Kind.TIMEOUT, t.toString());
      }
    }
    return CloseReason.of(CloseReason.Kind.HANDSHAKE_FAILED, String.valueOf(cause));
  }

  // ---------------------------------------------------------------- per connection

  private static Object sessionValue(QuicChannel ch, String name) {
    try {
      javax.net.ssl.SSLEngine engine = ch.sslEngine();
      return engine == null || engine.getSession() == null ? null : engine.getSession().getValue(name);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The PeerId proven by the certificate of this connection's own TLS session: recorded in that
   * session by the trust manager during this handshake, else verified again from the session's
   * peer certificates.
   */
  private PeerId peerOf(QuicChannel ch) throws CertificateRejectedException {
    if (sessionValue(ch, Libp2pTrustManager.PEER_ID) instanceof PeerId p) {
      return p;
    }
    Certificate[] certs;
    try {
      certs = ch.sslEngine().getSession().getPeerCertificates();
    } catch (Exception e) {
      throw new CertificateRejectedException(Reason.CHAIN_LENGTH, "no peer certificate: " + e, e);
    }
    byte[][] der = new byte[certs.length][];
    try {
      for (int i = 0; i < certs.length; i++) {
        der[i] = certs[i].getEncoded();
      }
    } catch (Exception e) {
      throw new CertificateRejectedException(Reason.MALFORMED_CERTIFICATE, e.toString(), e);
    }
    return Libp2pTls.verify(der, clock.instant());
  }

  /** Lives on each QUIC connection's pipeline: handshake completion, close events, teardown. */
  private final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final QuicConnection conn;
    private ScheduledFuture<?> keepAliveTimer;

    ConnectionHandler(QuicConnection conn) {
      this.conn = conn;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (conn.direction() == Direction.INBOUND) {
        onInboundHandshakeDone(conn);
      }
      ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof QuicConnectionCloseEvent e) {
        String text = closeText(e);
        conn.remoteClosed(
            CloseReason.of(
                e.isTlsError() ? CloseReason.Kind.HANDSHAKE_FAILED : CloseReason.Kind.REMOTE_CLOSE,
                (e.isApplicationClose() ? "application" : "transport")
                    + " close, code " + e.error() + (text.isEmpty() ? "" : ", " + text)));
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      errors.report(conn, cause); // counted, one line
    }

    /**
     * The reason text of the peer's CONNECTION_CLOSE; Netty 4.2.18's {@code reason()} throws a
     * NullPointerException when the frame carried none (seen on peers that close right after the
     * handshake).
     */
    private static String closeText(QuicConnectionCloseEvent e) {
      byte[] reason;
      try {
        reason = e.reason();
      } catch (NullPointerException noReason) {
        return "";
      }
      return reason == null ? "" : new String(reason, StandardCharsets.UTF_8);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // closeFuture, not channelInactive: a connection whose handshake failed never was active.
      ctx.channel().closeFuture().addListener(f -> onClosed());
    }

    private void onClosed() {
      if (keepAliveTimer != null) {
        keepAliveTimer.cancel(false);
      }
      boolean wasUp = connections.remove(conn);
      CloseReason r = conn.onChannelClosed();
      if (wasUp) {
        if (r.kind() == CloseReason.Kind.TIMEOUT) {
          idleTimeouts++;
        }
        log.debug("{} closed: {}", conn, r);
      } else if (conn.direction() == Direction.INBOUND && !conn.isEstablished()) {
        handshakeFailures++;
      }
      publish();
    }
  }

  private void startKeepAlive(QuicConnection conn) {
    if (keepAlive == null || cfg.keepAliveInterval().isZero()) {
      return;
    }
    long ms = cfg.keepAliveInterval().toMillis();
    ConnectionHandler h = conn.channel().pipeline().get(ConnectionHandler.class);
    h.keepAliveTimer =
        loop.scheduleAtFixedRate(
            () -> {
              if (!conn.isOpen() || conn.takeActivity()) {
                return;
              }
              keepAliveProbes++;
              publish();
              try {
                keepAlive.probe(conn);
              } catch (RuntimeException e) {
                errors.report("keep-alive probe of " + conn, e);
              }
            },
            ms,
            ms,
            TimeUnit.MILLISECONDS);
  }

  private void notifyListener(QuicConnection conn) {
    try {
      listener.onConnection(conn);
    } catch (RuntimeException e) {
      errors.report("connection listener, closing " + conn, e);
      conn.close("listener failed");
    }
  }

  /** Initializes every QUIC stream channel: half-closure on, reads off until a handler is set. */
  ChannelHandler streamInitializer(Direction direction) {
    return direction == Direction.INBOUND ? inboundStreams : outboundStreams;
  }

  private final class StreamInitializer extends ChannelInitializer<QuicStreamChannel> {
    private final Direction direction;

    StreamInitializer(Direction direction) {
      this.direction = direction;
    }

    @Override
    protected void initChannel(QuicStreamChannel ch) {
      ch.config().setAllowHalfClosure(true);
      ch.config().setAutoRead(false);
      QuicConnection conn = ch.parent().attr(CONNECTION).get();
      if (conn == null || ch.type() != QuicStreamType.BIDIRECTIONAL) {
        ch.close();
        return;
      }
      QuicMuxedStream s = new QuicMuxedStream(ch, conn, direction);
      ch.pipeline().addLast(s);
      conn.streamOpened(s);
      if (direction == Direction.INBOUND) {
        conn.onInboundStream(s);
      }
    }
  }

  // ---------------------------------------------------------------- close

  @Override
  public void close() {
    closeAsync();
  }

  /** Closes listeners, dials and connections; the future completes when all channels are closed. */
  public Future<Void> closeAsync() {
    Promise<Void> done = loop.newPromise();
    onLoop(
        () -> {
          closed = true;
          PromiseCombiner all = new PromiseCombiner(loop);
          for (Dial d : new ArrayList<>(dialsInFlight)) {
            d.fail(CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, "transport closed"), null);
          }
          PromiseCombiner conns = new PromiseCombiner(loop);
          List<QuicConnection> closing = new ArrayList<>(connections);
          closing.addAll(handshaking);
          for (QuicConnection c : closing) {
            c.closeWith(CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, "transport closed"));
            conns.add(c.closeFuture());
          }
          // the listeners go last, once the connections' CONNECTION_CLOSE frames have left
          Promise<Void> connsClosed = loop.newPromise();
          conns.finish(connsClosed);
          io.netty.util.concurrent.ScheduledFuture<?> guard =
              loop.schedule(() -> connsClosed.trySuccess(null), 1, TimeUnit.SECONDS);
          connsClosed.addListener(x -> {
            guard.cancel(false);
            for (Channel l : new ArrayList<>(listeners)) {
              all.add(l.close());
            }
            for (ChannelFuture c : new ChannelFuture[] {clientUdp4, clientUdp6}) {
              if (c != null) {
                all.add(c.channel().close());
              }
            }
            all.finish(done);
          });
        });
    return done;
  }

  // ---------------------------------------------------------------- counters

  private void trackUdp(Channel udp) {
    openUdpChannels++;
    publish();
    udp.closeFuture()
        .addListener(
            x -> {
              openUdpChannels--;
              publish();
            });
  }

  private void countRejection(CertificateRejectedException e) {
    onLoop(
        () -> {
          certRejections.merge(e.reason(), 1L, Long::sum);
          publish();
        });
  }

  void countPendingStreamDropped() {
    pendingStreamsDropped++;
    publish();
  }

  void streamOpened() {
    streamsOpened++;
    openStreams++;
    publish();
  }

  void streamClosed() {
    openStreams--;
    publish();
  }

  private void publish() {
    stats =
        new QuicTransportStats(
            dials,
            dialsSucceeded,
            dialsFailed,
            inboundAccepted,
            inboundRejected,
            handshakeFailures,
            certRejections,
            idleTimeouts,
            keepAliveProbes,
            streamsOpened,
            pendingStreamsDropped,
            connections.size(),
            openStreams,
            openUdpChannels);
  }

  /** Open streams right now; read on the loop (tests use {@link #stats()}). */
  private void onLoop(Runnable r) {
    if (loop.inEventLoop()) {
      r.run();
    } else {
      loop.execute(r);
    }
  }

  /** The client TLS context: one fresh P-256 certificate for this transport's dials, renewed daily. */
  private QuicSslContext clientSsl() {
    java.time.Instant now = clock.instant();
    if (clientSsl == null || now.isAfter(clientSslCreated.plus(Duration.ofDays(1)))) {
      CertAndKey ck = Libp2pTls.generate(identity, random, now);
      clientSsl =
          QuicSslContextBuilder.forClient()
              .keyManager(CertificateKeyManager.factory(ck), null) // no PKCS#12 store
              .trustManager(trust)
              .applicationProtocols(ALPN)
              .build();
      clientSslCreated = now;
    }
    return clientSsl;
  }

  /**
   * A UDP socket on the network's loop. On an epoll loop it reads with {@code recvmmsg} (up to
   * {@link EventLoops#RECVMMSG_DATAGRAMS} datagrams of at most {@link EventLoops#MAX_DATAGRAM}
   * bytes per call) and writes a flush's datagrams with {@code sendmmsg}; on NIO one datagram per
   * syscall. No UDP GSO / GRO: GSO (16 segments) cost the receiver more CPU than it saved the
   * sender on loopback, and GRO collapsed throughput (docs/benchmarks.md).
   */
  private Bootstrap udpBootstrap(ChannelHandler codec) {
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(EventLoops.datagramChannel(loop))
            .option(ChannelOption.SO_RCVBUF, cfg.socketBufferBytes())
            .option(ChannelOption.SO_SNDBUF, cfg.socketBufferBytes())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    // the codec, then the last handler: an ICMP error on the socket is counted, never a stack trace
                    ch.pipeline().addLast(codec, errors.listenerHandler());
                  }
                });
    if (EventLoops.isEpoll(loop)) {
      b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, EventLoops.MAX_DATAGRAM)
          .option(
              ChannelOption.RCVBUF_ALLOCATOR,
              new FixedRecvByteBufAllocator(EventLoops.MAX_DATAGRAM * EventLoops.RECVMMSG_DATAGRAMS));
    }
    return b;
  }

  /**
   * The largest UDP payload path MTU discovery probes for: a 1500-byte Ethernet MTU minus the IPv6
   * and UDP headers (1452), the upper bound quinn (rust-libp2p) and quic-go probe to as well.
   */
  static final int MAX_SEND_UDP_PAYLOAD = 1452;

  private <B extends QuicCodecBuilder<B>> B common(B b) {
    return b.maxIdleTimeout(cfg.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
        // the largest datagram a recvmmsg slot holds (NIO reads up to 2048): peers stay below it
        .maxRecvUdpPayloadSize(EventLoops.MAX_DATAGRAM)
        // packets start at QUIC's 1200 bytes; path MTU discovery probes up to MAX_SEND_UDP_PAYLOAD
        // and only a probe the peer acknowledged raises the size (never raise it without PMTUD: a
        // path with a smaller MTU would swallow every full packet, see docs/benchmarks.md)
        .maxSendUdpPayloadSize(MAX_SEND_UDP_PAYLOAD)
        .discoverPmtu(true)
        .initialMaxData(cfg.connectionWindow())
        .initialMaxStreamDataBidirectionalLocal(cfg.streamWindow())
        .initialMaxStreamDataBidirectionalRemote(cfg.streamWindow())
        .initialMaxStreamsBidirectional(cfg.maxInboundStreams())
        .initialMaxStreamsUnidirectional(0)
        .activeMigration(false);
  }

  /** Skips QUIC Retry (no address-validation tokens), as rust-libp2p does by default. */
  private static final class NoRetry implements QuicTokenHandler {
    static final NoRetry INSTANCE = new NoRetry();

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
      return false;
    }

    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
      return 0;
    }

    @Override
    public int maxTokenLength() {
      return 0;
    }
  }
}
