package io.leanp2p.transport.tcp;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.EventLoops;
import io.leanp2p.transport.EnumCounters;
import io.leanp2p.transport.InboundAdmission;
import io.leanp2p.transport.PipelineErrors;
import io.leanp2p.transport.Transport;
import io.leanp2p.types.TransportKind;
import io.leanp2p.transport.tcp.noise.X25519;
import io.leanp2p.transport.tcp.yamux.YamuxError;
import io.leanp2p.util.Scheduler;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import io.leanp2p.config.TcpConfig;

/**
 * TCP + multistream + Noise XX + multistream + Yamux, on one network's event loop: the server
 * channel, its children and every dial register on {@code loop}. Each transport instance has its
 * own Noise static key (generated at construction). Every secured connection, inbound or
 * outbound, is announced to the {@link ConnectionListener}.
 */
public final class TcpTransport implements Transport {
  private final EventLoop loop;
  private final PrivateKey identity;
  private final TcpConfig cfg;
  private final ConnectionListener listener;
  private final Scheduler sched;
  private final SecureRandom random;
  private final X25519.KeyPairRaw staticKey;
  private final EnumCounters<YamuxError> yamuxErrors = new EnumCounters<>(YamuxError.class);
  private final EnumCounters<CloseReason.Kind> upgradeFailures = new EnumCounters<>(CloseReason.Kind.class);
  private final Set<Channel> channels = new HashSet<>();
  private final InboundAdmission admission;
  private final PipelineErrors errors;
  private boolean closed;

  /**
   * @param loop the network's single event loop (epoll or NIO: the channels follow it)
   * @param identity our libp2p identity key
   * @param listener receives every new connection (on the loop)
   * @param sched timers (the loop's in production)
   * @param random source of Noise keys
   * @param admission admission of inbound connections (shared with the network's other transports)
   */
  public TcpTransport(
      EventLoop loop,
      PrivateKey identity,
      TcpConfig cfg,
      ConnectionListener listener,
      Scheduler sched,
      SecureRandom random,
      InboundAdmission admission) {
    this.loop = loop;
    this.identity = identity;
    this.cfg = cfg;
    this.listener = listener;
    this.sched = sched;
    this.random = random;
    this.staticKey = X25519.generate(random);
    this.admission = admission;
    this.errors = new PipelineErrors("tcp", sched::nanoTime);
  }

  /** With an admission of its own at the default limits. */
  public TcpTransport(
      EventLoop loop,
      PrivateKey identity,
      TcpConfig cfg,
      ConnectionListener listener,
      Scheduler sched,
      SecureRandom random) {
    this(loop, identity, cfg, listener, sched, random,
        new InboundAdmission(io.leanp2p.config.AdmissionConfig.defaults(), sched));
  }

  /** Production convenience: the loop's scheduler and a fresh {@link SecureRandom}. */
  public TcpTransport(EventLoop loop, PrivateKey identity, TcpConfig cfg, ConnectionListener listener) {
    this(loop, identity, cfg, listener, Scheduler.of(loop), new SecureRandom());
  }

  TcpConfig config() {
    return cfg;
  }

  Scheduler scheduler() {
    return sched;
  }

  X25519.KeyPairRaw staticKey() {
    return staticKey;
  }

  PrivateKey identity() {
    return identity;
  }

  SecureRandom random() {
    return random;
  }

  EnumCounters<YamuxError> yamuxErrors() {
    return yamuxErrors;
  }

  /** Yamux protocol errors and refused streams, by reason (any thread). */
  public EnumCounters<YamuxError> yamuxErrorCounters() {
    return yamuxErrors;
  }

  /** Failures caught on this transport's channels, by kind (any thread). */
  public EnumCounters<PipelineErrors.Kind> errorCounters() {
    return errors.counters();
  }

  /** Failed upgrades (inbound and outbound), by reason (any thread). */
  public EnumCounters<CloseReason.Kind> upgradeFailureCounters() {
    return upgradeFailures;
  }

  void upgradeFailed(CloseReason r) {
    upgradeFailures.inc(r.kind());
  }

  void connectionReady(Connection c, Promise<Connection> promise) {
    if (promise != null && promise.isDone()) {
      c.close("dial already failed or was cancelled");
      return;
    }
    listener.onConnection(c); // first, so the dialer's future sees the manager's decision
    if (promise != null) {
      promise.trySuccess(c);
    }
  }

  @Override
  public TransportKind kind() {
    return TransportKind.TCP;
  }

  @Override
  public boolean handles(Multiaddr addr) {
    return addr.isTcp();
  }

  private ChannelInitializer<SocketChannel> initializer(Direction dir, PeerId expected, Promise<Connection> promise) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        if (closed) {
          ch.close();
          return;
        }
        channels.add(ch);
        ch.closeFuture().addListener(f -> channels.remove(ch));
        if (dir == Direction.INBOUND && !admission.admit(ch, ch.remoteAddress(), true)) {
          errors.install(ch);
          return;
        }
        new TcpUpgrade(TcpTransport.this, ch, dir, expected, promise).install(ch.pipeline());
        errors.install(ch); // last: every exception ends here, counted, never at Netty's tail
      }
    };
  }

  @Override
  public Future<Multiaddr> listen(Multiaddr addr) {
    Promise<Multiaddr> p = loop.newPromise();
    if (!handles(addr)) {
      return p.setFailure(new IllegalArgumentException("not a TCP address: " + addr));
    }
    InetSocketAddress sa;
    try {
      sa = addr.toSocketAddress();
    } catch (IllegalStateException e) {
      return p.setFailure(e);
    }
    ServerBootstrap b =
        new ServerBootstrap()
            .group(loop)
            .channel(EventLoops.serverSocketChannel(loop))
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(cfg.writeBufferLowWater(), cfg.writeBufferHighWater()))
            .childHandler(initializer(Direction.INBOUND, null, null));
    b.bind(sa)
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                p.tryFailure(f.cause());
                return;
              }
              if (closed) {
                f.channel().close();
                p.tryFailure(new IllegalStateException("transport closed"));
                return;
              }
              channels.add(f.channel());
              f.channel().pipeline().addLast("errors", errors.listenerHandler()); // after the acceptor
              p.trySuccess(Multiaddr.tcp((InetSocketAddress) f.channel().localAddress()));
            });
    return p;
  }

  @Override
  public Future<Connection> dial(Multiaddr addr, PeerId expected, Duration timeout) {
    Promise<Connection> p = loop.newPromise();
    if (closed) {
      return p.setFailure(new ConnectionException(CloseReason.of(CloseReason.Kind.REFUSED, "transport closed")));
    }
    if (!handles(addr)) {
      return p.setFailure(
          new ConnectionException(CloseReason.of(CloseReason.Kind.REFUSED, "not a TCP address: " + addr)));
    }
    InetSocketAddress sa;
    try {
      sa = addr.toSocketAddress(); // DNS names are resolved by the caller (the swarm), off the loop
    } catch (IllegalStateException e) {
      return p.setFailure(new ConnectionException(CloseReason.of(CloseReason.Kind.REFUSED, e.getMessage())));
    }
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(EventLoops.socketChannel(loop))
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(cfg.writeBufferLowWater(), cfg.writeBufferHighWater()))
            .handler(initializer(Direction.OUTBOUND, expected, p));
    // register, then connect with our own promise: Bootstrap.connect would add CLOSE_ON_FAILURE
    // ahead of our listener, and the upgrade would then report "closed during the upgrade"
    // instead of why the connect failed
    ChannelFuture reg = b.register();
    Channel ch = reg.channel();
    io.netty.channel.ChannelPromise cf = ch.newPromise();
    reg.addListener(r -> {
      if (r.isSuccess()) {
        ch.connect(sa, cf);
      } else {
        cf.tryFailure(r.cause());
      }
    });
    cf.addListener(
        (ChannelFuture f) -> {
          if (!f.isSuccess()) {
            CloseReason r =
                f.cause() instanceof io.netty.channel.ConnectTimeoutException
                    ? CloseReason.of(CloseReason.Kind.TIMEOUT, "connect timed out")
                    : f.cause() instanceof java.net.ConnectException
                        ? CloseReason.of(CloseReason.Kind.CONNECTION_REFUSED, "connect refused: " + f.cause().getMessage())
                        : CloseReason.of(CloseReason.Kind.IO_ERROR, "connect failed: " + f.cause().getMessage());
            ChannelCloseReason.record(ch, r);
            p.tryFailure(new ConnectionException(r, f.cause()));
            ch.close();
          }
        });
    Scheduler.Cancellable t =
        sched.scheduleMillis(
            timeout.toMillis(),
            () -> {
              if (!p.isDone()) {
                CloseReason r = CloseReason.of(CloseReason.Kind.TIMEOUT, "dial not finished within " + timeout.toMillis() + " ms");
                ChannelCloseReason.record(ch, r);
                p.tryFailure(new ConnectionException(r));
                ch.close();
              }
            });
    p.addListener(
        f -> {
          t.cancel();
          if (f.isCancelled()) {
            ChannelCloseReason.close(ch, CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, "dial cancelled"));
          }
        });
    return p;
  }

  @Override
  public void close() {
    if (!loop.inEventLoop()) {
      loop.submit(this::close).syncUninterruptibly();
      return;
    }
    if (closed) {
      return;
    }
    closed = true;
    for (Channel c : new ArrayList<>(channels)) {
      ChannelCloseReason.record(c, CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, "transport closed"));
      c.close();
    }
  }
}
