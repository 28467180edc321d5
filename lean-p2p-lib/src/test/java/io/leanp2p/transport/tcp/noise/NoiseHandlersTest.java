package io.leanp2p.transport.tcp.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.KeyType;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.PublicKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.testing.Splits;
import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.types.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The libp2p Noise handshake and transport codec on EmbeddedChannels. */
class NoiseHandlersTest {
  static final SecureRandom RND = new SecureRandom();

  /** One side: handshake handler that installs the transport codec plus a collector. */
  static final class Side {
    final PrivateKey key;
    final EmbeddedChannel ch;
    PeerId remote;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();

    Side(boolean initiator, PrivateKey key, PeerId expected) {
      this.key = key;
      ch = new EmbeddedChannel();
      ch.pipeline()
          .addLast(
              "hs",
              new NoiseHandshakeHandler(
                  initiator,
                  X25519.generate(RND),
                  key,
                  expected,
                  RND,
                  (ctx, remote, send, recv, leftover) -> {
                    this.remote = remote;
                    ctx.pipeline().addAfter(ctx.name(), "noise", new NoiseTransportCodec(send, recv));
                    ctx.pipeline().addAfter("noise", "collect", new Collector(received));
                    if (leftover.isReadable()) {
                      ctx.fireChannelRead(leftover);
                    } else {
                      leftover.release();
                    }
                    ctx.pipeline().remove(ctx.handler());
                  }));
    }

    CloseReason reason() {
      return ChannelCloseReason.get(ch);
    }
  }

  static final class Collector extends ChannelInboundHandlerAdapter {
    final ByteArrayOutputStream out;

    Collector(ByteArrayOutputStream out) {
      this.out = out;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      out.writeBytes(ByteBufUtil.getBytes(b));
      b.release();
    }
  }

  static void shuttle(EmbeddedChannel a, EmbeddedChannel b) {
    boolean any = true;
    while (any) {
      any = false;
      ByteBuf x;
      while ((x = a.readOutbound()) != null) {
        any = true;
        if (b.isActive()) b.writeInbound(x); else x.release();
      }
      while ((x = b.readOutbound()) != null) {
        any = true;
        if (a.isActive()) a.writeInbound(x); else x.release();
      }
    }
  }

  static PrivateKey newKey() {
    return Secp256k1PrivateKey.generate(RND);
  }

  @Test
  void handshakeProvesBothIdentitiesAndTransportCarriesData() {
    PrivateKey ki = newKey();
    PrivateKey kr = newKey();
    Side r = new Side(false, kr, null);
    Side i = new Side(true, ki, PeerId.fromPublicKey(kr.publicKey()));
    shuttle(i.ch, r.ch);
    assertThat(i.remote).isEqualTo(PeerId.fromPublicKey(kr.publicKey()));
    assertThat(r.remote).isEqualTo(PeerId.fromPublicKey(ki.publicKey()));
    byte[] big = new byte[200_000]; // several 65519-byte frames
    new Random(1).nextBytes(big);
    i.ch.writeAndFlush(Unpooled.wrappedBuffer(big));
    r.ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {42}));
    shuttle(i.ch, r.ch);
    assertThat(r.received.toByteArray()).isEqualTo(big);
    assertThat(i.received.toByteArray()).containsExactly(42);
    i.ch.finishAndReleaseAll();
    r.ch.finishAndReleaseAll();
  }

  @Test
  void outboundFramesAreSplitAt65519PlaintextBytes() {
    PrivateKey ki = newKey();
    Side r = new Side(false, newKey(), null);
    Side i = new Side(true, ki, null);
    shuttle(i.ch, r.ch);
    i.ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[65519 + 1]));
    // one buffer per frame: gather them
    ByteBuf wire = Unpooled.buffer();
    ByteBuf part;
    while ((part = i.ch.readOutbound()) != null) {
      wire.writeBytes(part);
      part.release();
    }
    assertThat(wire.getUnsignedShort(0)).isEqualTo(65535);
    assertThat(wire.getUnsignedShort(2 + 65535)).isEqualTo(1 + 16);
    assertThat(wire.readableBytes()).isEqualTo(2 + 65535 + 2 + 17);
    wire.release();
    i.ch.finishAndReleaseAll();
    r.ch.finishAndReleaseAll();
  }

  @Test
  void wrongPeerIdFailsTheDialerWithMismatch() {
    Side r = new Side(false, newKey(), null);
    PeerId someoneElse = PeerId.fromPublicKey(newKey().publicKey());
    Side i = new Side(true, newKey(), someoneElse);
    shuttle(i.ch, r.ch);
    assertThat(i.remote).isNull();
    assertThat(i.ch.isActive()).isFalse();
    assertThat(i.reason().kind()).isEqualTo(CloseReason.Kind.PEER_ID_MISMATCH);
    i.ch.finishAndReleaseAll();
    r.ch.finishAndReleaseAll();
  }

  /** An identity whose signature is made with another key than the one it presents. */
  static PrivateKey lyingKey() {
    PrivateKey shown = newKey();
    PrivateKey signer = newKey();
    return new PrivateKey() {
      @Override
      public KeyType type() {
        return shown.type();
      }

      @Override
      public PublicKey publicKey() {
        return shown.publicKey();
      }

      @Override
      public byte[] sign(byte[] data) {
        return signer.sign(data);
      }

      @Override
      public byte[] raw() {
        return shown.raw();
      }
    };
  }

  @Test
  void badSignatureFromResponderFailsTheHandshake() {
    Side r = new Side(false, lyingKey(), null);
    Side i = new Side(true, newKey(), null);
    shuttle(i.ch, r.ch);
    assertThat(i.remote).isNull();
    assertThat(i.reason().kind()).isEqualTo(CloseReason.Kind.HANDSHAKE_FAILED);
    assertThat(i.reason().detail()).contains("signature");
    i.ch.finishAndReleaseAll();
    r.ch.finishAndReleaseAll();
  }

  @Test
  void badSignatureFromInitiatorFailsTheHandshake() {
    Side r = new Side(false, newKey(), null);
    Side i = new Side(true, lyingKey(), null);
    shuttle(i.ch, r.ch);
    assertThat(r.remote).isNull();
    assertThat(r.reason().kind()).isEqualTo(CloseReason.Kind.HANDSHAKE_FAILED);
    i.ch.finishAndReleaseAll();
    r.ch.finishAndReleaseAll();
  }

  /** Records a whole handshake + data transcript, as the responder receives it. */
  static List<byte[]> initiatorTranscript(Side i, Side r, byte[] data) {
    List<byte[]> toResponder = new ArrayList<>();
    boolean any = true;
    while (any) {
      any = false;
      ByteBuf x;
      while ((x = i.ch.readOutbound()) != null) {
        any = true;
        toResponder.add(ByteBufUtil.getBytes(x));
        r.ch.writeInbound(x);
      }
      while ((x = r.ch.readOutbound()) != null) {
        any = true;
        i.ch.writeInbound(x);
      }
      if (!any && i.remote != null && data != null) {
        i.ch.writeAndFlush(Unpooled.wrappedBuffer(data));
        data = null;
        any = true;
      }
    }
    return toResponder;
  }

  @Test
  void handshakeAndTransportBytesUnderEverySplitAndCorruption() {
    // build a valid transcript once: responder keys are regenerated per run, so corrupt versions
    // are fed to a responder that must fail with a typed reason, and the whole one must pass
    for (int mode = 0; mode < 5; mode++) {
      PrivateKey kr = newKey();
      Side i = new Side(true, newKey(), null);
      Side r0 = new Side(false, kr, null);
      byte[] data = new byte[3_000];
      new Random(mode).nextBytes(data);
      List<byte[]> msgs = initiatorTranscript(i, r0, data);
      assertThat(r0.received.toByteArray()).isEqualTo(data);
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (byte[] m : msgs) {
        all.writeBytes(m);
      }
      byte[] transcript = all.toByteArray();
      i.ch.finishAndReleaseAll();
      r0.ch.finishAndReleaseAll();
      // replaying a transcript to a fresh responder: its ephemeral differs, so message 3 cannot
      // authenticate -> HANDSHAKE_FAILED, whatever the split; corruptions fail the same way or,
      // for a length that cuts the stream short, leave the responder waiting (no exception)
      byte[] input = transcript.clone();
      String what;
      switch (mode) {
        case 0 -> what = "replayed";
        case 1 -> {
          input[40] ^= 1;
          what = "bit flip in message 3";
        }
        case 2 -> {
          input = java.util.Arrays.copyOf(input, 20);
          what = "truncated message 1";
        }
        case 3 -> {
          // frames of plausible lengths with random content: message 1 (any 32 bytes) is
          // accepted, the random "message 3" cannot authenticate
          byte[] g = new byte[2 + 32 + 2 + 96];
          new Random(9).nextBytes(g);
          g[0] = 0;
          g[1] = 32;
          g[34] = 0;
          g[35] = 96;
          input = g;
          what = "garbage";
        }
        default -> {
          // reordered: message 3 first
          byte[] m1 = msgs.get(0);
          ByteArrayOutputStream re = new ByteArrayOutputStream();
          for (int k = 1; k < msgs.size(); k++) re.writeBytes(msgs.get(k));
          re.writeBytes(m1);
          input = re.toByteArray();
          what = "reordered";
        }
      }
      for (Splits.Split split : Splits.of(input, 0, 4)) {
        Side r = new Side(false, kr, null);
        for (byte[] piece : split.pieces()) {
          if (r.ch.isActive()) {
            r.ch.writeInbound(Unpooled.wrappedBuffer(piece));
          }
        }
        r.ch.checkException();
        assertThat(r.remote).as(what + " " + split).isNull();
        if (mode != 2) {
          assertThat(r.ch.isActive()).as(what + " " + split).isFalse();
          assertThat(r.reason().kind()).as(what + " " + split).isEqualTo(CloseReason.Kind.HANDSHAKE_FAILED);
        }
        r.ch.finishAndReleaseAll();
      }
    }
  }

  @Test
  void badTransportFramesCloseWithProtocolError_underEverySplit() {
    for (int mode = 0; mode < 4; mode++) {
      Side r = new Side(false, newKey(), null);
      Side i = new Side(true, newKey(), null);
      shuttle(i.ch, r.ch);
      i.ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
      i.ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {4, 5, 6}));
      ByteBuf f1 = i.ch.readOutbound();
      ByteBuf f2 = i.ch.readOutbound();
      byte[] a = ByteBufUtil.getBytes(f1);
      byte[] b = ByteBufUtil.getBytes(f2);
      f1.release();
      f2.release();
      byte[] input =
          switch (mode) {
            case 0 -> concat(b, a); // reordered: nonce mismatch
            case 1 -> {
              byte[] x = a.clone();
              x[x.length - 1] ^= 1; // tag
              yield x;
            }
            case 2 -> new byte[] {0, 5, 1, 2, 3, 4, 5}; // shorter than a tag
            default -> concat(a, a); // replay
          };
      for (Splits.Split split : Splits.of(input, 0, 3)) {
        Side r2 = r; // reuse the same session only for the first split; others: fresh pairs
        if (!split.name().equals("whole")) {
          r2 = new Side(false, newKey(), null);
          Side i2 = new Side(true, newKey(), null);
          shuttle(i2.ch, r2.ch);
          // encrypt the same shape with the new session so the frames are valid for it
          i2.ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
          i2.ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {4, 5, 6}));
          ByteBuf g1 = i2.ch.readOutbound();
          ByteBuf g2 = i2.ch.readOutbound();
          byte[] a2 = ByteBufUtil.getBytes(g1);
          byte[] b2 = ByteBufUtil.getBytes(g2);
          g1.release();
          g2.release();
          byte[] in2 =
              switch (mode) {
                case 0 -> concat(b2, a2);
                case 1 -> {
                  byte[] x = a2.clone();
                  x[x.length - 1] ^= 1;
                  yield x;
                }
                case 2 -> new byte[] {0, 5, 1, 2, 3, 4, 5};
                default -> concat(a2, a2);
              };
          List<byte[]> pieces = Splits.randomCut(in2, new Random(split.name().hashCode()));
          if (split.name().equals("1-byte")) pieces = Splits.cut(in2, 1);
          for (byte[] p : pieces) {
            if (r2.ch.isActive()) r2.ch.writeInbound(Unpooled.wrappedBuffer(p));
          }
          i2.ch.finishAndReleaseAll();
        } else {
          for (byte[] p : split.pieces()) {
            if (r2.ch.isActive()) r2.ch.writeInbound(Unpooled.wrappedBuffer(p));
          }
        }
        r2.ch.checkException();
        assertThat(r2.ch.isActive()).as("mode " + mode + " " + split).isFalse();
        assertThat(r2.reason().kind()).isEqualTo(CloseReason.Kind.PROTOCOL_ERROR);
        r2.ch.finishAndReleaseAll();
      }
      i.ch.finishAndReleaseAll();
      r.ch.finishAndReleaseAll();
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] o = new byte[a.length + b.length];
    System.arraycopy(a, 0, o, 0, a.length);
    System.arraycopy(b, 0, o, a.length, b.length);
    return o;
  }
}
