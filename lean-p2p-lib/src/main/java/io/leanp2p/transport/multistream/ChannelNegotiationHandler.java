package io.leanp2p.transport.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.List;
import java.util.Set;

/**
 * multistream-select directly on a channel (the connection upgrade: {@code /noise} on the raw TCP
 * channel, {@code /yamux/1.0.0} inside Noise). The dialer speaks first as soon as the handler is
 * added to an active channel. Timeouts belong to the caller (the whole upgrade has one).
 */
public final class ChannelNegotiationHandler extends ChannelInboundHandlerAdapter {
  /** Outcome of a channel negotiation; exactly one method is called, once. */
  public interface Callback {
    /**
     * {@code protocol} was agreed: replace this handler with the protocol's. {@code leftover}
     * (owned, maybe empty) holds the bytes that followed the negotiation.
     */
    void selected(ChannelHandlerContext ctx, String protocol, ByteBuf leftover);

    /** The negotiation failed; the callee closes the channel. */
    void failed(ChannelHandlerContext ctx, NegotiationFailure failure, String detail);
  }

  private final boolean dialer;
  private final List<String> proposals;
  private final Set<String> supported;
  private final Callback cb;
  private MultistreamNegotiation negotiation;
  private ChannelHandlerContext ctx;

  private ChannelNegotiationHandler(boolean dialer, List<String> proposals, Set<String> supported, Callback cb) {
    this.dialer = dialer;
    this.proposals = proposals;
    this.supported = supported;
    this.cb = cb;
  }

  /** The dialer side, proposing {@code protocols} in order. */
  public static ChannelNegotiationHandler dialer(List<String> protocols, Callback cb) {
    return new ChannelNegotiationHandler(true, List.copyOf(protocols), Set.of(), cb);
  }

  /** The listener side, accepting any of {@code protocols}. */
  public static ChannelNegotiationHandler listener(Set<String> protocols, Callback cb) {
    return new ChannelNegotiationHandler(false, List.of(), Set.copyOf(protocols), cb);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    MultistreamNegotiation.Outcome outcome =
        new MultistreamNegotiation.Outcome() {
          @Override
          public void selected(String protocol, ByteBuf leftover) {
            cb.selected(ctx, protocol, leftover);
          }

          @Override
          public void failed(NegotiationFailure failure, String detail) {
            cb.failed(ctx, failure, detail);
          }
        };
    if (dialer) {
      MultistreamDialer d = new MultistreamDialer(proposals, ctx.alloc(), b -> ctx.writeAndFlush(b, ctx.voidPromise()), outcome);
      negotiation = d;
      if (ctx.channel().isActive()) {
        d.start();
      }
    } else {
      negotiation =
          new MultistreamListener(
              supported::contains, () -> List.copyOf(supported), ctx.alloc(), b -> ctx.writeAndFlush(b, ctx.voidPromise()), outcome);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (negotiation instanceof MultistreamDialer d) {
      d.start();
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      negotiation.onData(b);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    negotiation.abort(NegotiationFailure.CLOSED, "connection closed during negotiation");
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (negotiation != null && !negotiation.isDone()) {
      negotiation.finishQuietly();
    }
  }
}
