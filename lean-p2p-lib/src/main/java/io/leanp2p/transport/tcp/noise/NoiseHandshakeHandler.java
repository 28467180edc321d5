package io.leanp2p.transport.tcp.noise;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.types.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.security.SecureRandom;

/**
 * Runs the libp2p Noise XX handshake on a channel: u16-framed handshake messages, the identity
 * payload in messages 2 and 3, verification of the remote's signature and, when dialing a known
 * PeerId, of its identity. On success it hands the transport ciphers, the proven PeerId and any
 * bytes that followed the last handshake message to {@link Done}; on failure it records a typed
 * {@link CloseReason} and closes the channel. Nothing is thrown out of the pipeline.
 */
public final class NoiseHandshakeHandler extends ChannelInboundHandlerAdapter {
  /** Called once, on the event loop, when the handshake succeeded. */
  @FunctionalInterface
  public interface Done {
    /**
     * Install the transport codec at this handler's place. {@code leftover} (owned, maybe empty)
     * holds ciphertext that followed the handshake.
     */
    void secured(ChannelHandlerContext ctx, PeerId remote, CipherState send, CipherState receive, ByteBuf leftover);
  }

  private final NoiseXX noise;
  private final PrivateKey identity;
  private final byte[] staticPublic;
  private final byte[] signedPayload; // null: signed when needed
  private final PeerId expected;
  private final Done done;
  private ByteBuf cumulation;
  private PeerId remote;
  private boolean finished;
  private boolean started;

  /**
   * @param expected the PeerId we dialed ({@code /p2p/...}), or null to accept any
   */
  public NoiseHandshakeHandler(
      boolean initiator,
      X25519.KeyPairRaw staticKey,
      PrivateKey identity,
      PeerId expected,
      SecureRandom random,
      Done done) {
    this.noise = new NoiseXX(initiator, staticKey, random);
    this.identity = identity;
    this.staticPublic = staticKey.publicKey();
    this.signedPayload = null;
    this.expected = expected;
    this.done = done;
  }

  /**
   * For the fuzz targets: a fresh handshake state prepared by the caller (fixed ephemeral, cached
   * key agreement) and our payload signed once ({@link NoisePayload#build}).
   */
  NoiseHandshakeHandler(NoiseXX noise, byte[] signedPayload, PeerId expected, Done done) {
    this.noise = noise;
    this.identity = null;
    this.staticPublic = null;
    this.signedPayload = signedPayload;
    this.expected = expected;
    this.done = done;
  }

  private byte[] localPayload() {
    return signedPayload != null ? signedPayload : NoisePayload.build(identity, staticPublic);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    if (noise.isInitiator()) {
      send(ctx, new byte[0]);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (finished) {
      in.release();
      return;
    }
    cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
    try {
      while (!finished && cumulation.readableBytes() >= 2) {
        int len = cumulation.getUnsignedShort(cumulation.readerIndex());
        if (cumulation.readableBytes() < 2 + len) {
          return;
        }
        cumulation.skipBytes(2);
        byte[] m = new byte[len]; // len <= 65535 by construction
        cumulation.readBytes(m);
        onMessage(ctx, m);
      }
    } catch (NoiseException e) {
      fail(ctx, CloseReason.Kind.HANDSHAKE_FAILED, e.getMessage());
    } finally {
      if (cumulation != null && !cumulation.isReadable() && !finished) {
        cumulation.release();
        cumulation = null;
      }
    }
  }

  private void onMessage(ChannelHandlerContext ctx, byte[] m) throws NoiseException {
    byte[] payload = noise.readMessage(m);
    if (noise.isInitiator()) {
      // message 2: the responder's identity
      remote = NoisePayload.verify(payload, noise.remoteStatic());
      if (expected != null && !expected.equals(remote)) {
        fail(
            ctx,
            CloseReason.Kind.PEER_ID_MISMATCH,
            "dialed " + expected + " but the remote proved " + remote);
        return;
      }
      send(ctx, localPayload());
      complete(ctx);
    } else if (!noise.isComplete()) {
      // message 1 read: answer with message 2
      send(ctx, localPayload());
    } else {
      remote = NoisePayload.verify(payload, noise.remoteStatic());
      complete(ctx);
    }
  }

  private void send(ChannelHandlerContext ctx, byte[] payload) {
    byte[] m;
    try {
      m = noise.writeMessage(payload);
    } catch (NoiseException e) {
      fail(ctx, CloseReason.Kind.HANDSHAKE_FAILED, e.getMessage());
      return;
    }
    ByteBuf b = ctx.alloc().buffer(2 + m.length);
    b.writeShort(m.length);
    b.writeBytes(m);
    ctx.writeAndFlush(b, ctx.voidPromise());
  }

  private void complete(ChannelHandlerContext ctx) {
    finished = true;
    CipherState[] c = noise.split();
    ByteBuf left = cumulation == null ? Unpooled.EMPTY_BUFFER : cumulation;
    cumulation = null;
    done.secured(ctx, remote, c[0], c[1], left);
  }

  private void fail(ChannelHandlerContext ctx, CloseReason.Kind kind, String detail) {
    finished = true;
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
    ChannelCloseReason.close(ctx.channel(), CloseReason.of(kind, "noise handshake: " + detail));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }
}
