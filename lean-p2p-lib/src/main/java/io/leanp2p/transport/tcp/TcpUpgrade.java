package io.leanp2p.transport.tcp;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.transport.ConnectionInfo;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.InboundAdmission;
import io.leanp2p.transport.multistream.ChannelNegotiationHandler;
import io.leanp2p.transport.multistream.NegotiationFailure;
import io.leanp2p.transport.tcp.noise.CipherState;
import io.leanp2p.transport.tcp.noise.NoiseHandshakeHandler;
import io.leanp2p.transport.tcp.noise.NoiseTransportCodec;
import io.leanp2p.transport.tcp.yamux.YamuxSession;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;

/**
 * The upgrade of one TCP channel: multistream {@code /noise} → Noise XX → multistream {@code
 * /yamux/1.0.0} → Yamux. Each step replaces its handler with the next and passes on the bytes that
 * followed it. One timer bounds the whole upgrade. Runs on the channel's event loop.
 */
final class TcpUpgrade {
  static final String NOISE = "/noise";
  static final String YAMUX = "/yamux/1.0.0";

  private final TcpTransport transport;
  private final Channel ch;
  private final Direction direction;
  private final PeerId expected;
  private final Promise<Connection> promise; // dials only
  private Scheduler.Cancellable timer;
  private PeerId remote;
  private boolean done;

  TcpUpgrade(TcpTransport transport, Channel ch, Direction direction, PeerId expected, Promise<Connection> promise) {
    this.transport = transport;
    this.ch = ch;
    this.direction = direction;
    this.expected = expected;
    this.promise = promise;
  }

  private boolean dialer() {
    return direction == Direction.OUTBOUND;
  }

  void install(ChannelPipeline p) {
    ChannelNegotiationHandler.Callback cb =
        new ChannelNegotiationHandler.Callback() {
          @Override
          public void selected(ChannelHandlerContext ctx, String protocol, ByteBuf leftover) {
            startNoise(ctx, leftover);
          }

          @Override
          public void failed(ChannelHandlerContext ctx, NegotiationFailure f, String detail) {
            negotiationFailed("security", f, detail);
          }
        };
    p.addLast(
        "ms-security",
        dialer()
            ? ChannelNegotiationHandler.dialer(List.of(NOISE), cb)
            : ChannelNegotiationHandler.listener(Set.of(NOISE), cb));
    long ms = transport.config().upgradeTimeout().toMillis();
    timer =
        transport.scheduler()
            .scheduleMillis(
                ms,
                () -> {
                  if (!done) {
                    ChannelCloseReason.close(
                        ch,
                        CloseReason.of(
                            CloseReason.Kind.TIMEOUT,
                            "upgrade (multistream/noise/yamux) not finished within " + ms + " ms"));
                  }
                });
    ch.closeFuture().addListener(f -> onClosed());
  }

  private void startNoise(ChannelHandlerContext ctx, ByteBuf leftover) {
    ChannelPipeline p = ctx.pipeline();
    p.addAfter(
        ctx.name(),
        "noise-handshake",
        new NoiseHandshakeHandler(
            dialer(), transport.staticKey(), transport.identity(), expected, transport.random(), this::secured));
    handOver(ctx, leftover);
  }

  private void secured(
      ChannelHandlerContext ctx, PeerId remote, CipherState send, CipherState receive, ByteBuf leftover) {
    this.remote = remote;
    ChannelNegotiationHandler.Callback cb =
        new ChannelNegotiationHandler.Callback() {
          @Override
          public void selected(ChannelHandlerContext c, String protocol, ByteBuf left) {
            startYamux(c, left);
          }

          @Override
          public void failed(ChannelHandlerContext c, NegotiationFailure f, String detail) {
            negotiationFailed("muxer", f, detail);
          }
        };
    ChannelPipeline p = ctx.pipeline();
    p.addAfter(ctx.name(), "noise", new NoiseTransportCodec(send, receive));
    p.addAfter(
        "noise",
        "ms-muxer",
        dialer()
            ? ChannelNegotiationHandler.dialer(List.of(YAMUX), cb)
            : ChannelNegotiationHandler.listener(Set.of(YAMUX), cb));
    handOver(ctx, leftover);
  }

  private void startYamux(ChannelHandlerContext ctx, ByteBuf leftover) {
    if (done || !ch.isActive()) {
      leftover.release();
      return;
    }
    done = true;
    timer.cancel();
    InboundAdmission.upgraded(ch); // no longer pending
    Multiaddr remoteAddr =
        Multiaddr.tcp((InetSocketAddress) ch.remoteAddress()).withP2p(remote.toBytes());
    Multiaddr localAddr = Multiaddr.tcp((InetSocketAddress) ch.localAddress());
    YamuxSession session =
        new YamuxSession(
            new ConnectionInfo(remote, remoteAddr, localAddr, direction),
            transport.config().yamux(),
            transport.yamuxErrors());
    ctx.pipeline().addAfter(ctx.name(), "yamux", session);
    transport.connectionReady(session, promise);
    handOver(ctx, leftover);
  }

  /** Passes {@code leftover} to the handler after {@code ctx}, then removes {@code ctx}'s handler. */
  private static void handOver(ChannelHandlerContext ctx, ByteBuf leftover) {
    if (leftover.isReadable() && ctx.channel().isActive()) {
      ctx.fireChannelRead(leftover);
    } else {
      leftover.release();
    }
    if (!ctx.isRemoved()) {
      ctx.pipeline().remove(ctx.handler());
    }
  }

  private void negotiationFailed(String what, NegotiationFailure f, String detail) {
    CloseReason.Kind kind =
        f == NegotiationFailure.CLOSED ? CloseReason.Kind.IO_ERROR : CloseReason.Kind.PROTOCOL_ERROR;
    ChannelCloseReason.close(ch, CloseReason.of(kind, "multistream (" + what + "): " + f.reason(detail)));
  }

  private void onClosed() {
    if (timer != null) {
      timer.cancel();
    }
    if (done) {
      return;
    }
    done = true;
    CloseReason r = ChannelCloseReason.get(ch);
    if (r == null) {
      r = CloseReason.of(CloseReason.Kind.IO_ERROR, "connection closed during the upgrade");
    }
    transport.upgradeFailed(r);
    if (promise != null) {
      promise.tryFailure(new ConnectionException(r));
    }
  }
}
