package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.transport.CloseReason;
import io.leanp2p.transport.tcp.noise.CipherState;
import io.leanp2p.transport.tcp.noise.NoiseException;
import io.leanp2p.transport.tcp.noise.NoiseFuzzAccess;
import io.leanp2p.transport.tcp.noise.NoiseHandshakeHandler;
import io.leanp2p.transport.tcp.noise.NoisePayload;
import io.leanp2p.transport.tcp.noise.NoiseTransportCodec;
import io.leanp2p.transport.tcp.noise.NoiseXX;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Noise XX as libp2p runs it over TCP. The handshake targets play the remote side honestly where
 * the fuzzer asks for it (so its payloads get past the AEAD and reach the protobuf and signature
 * checks) and send raw bytes elsewhere; the handler must end with exactly one of "secured" or a
 * typed close, throw nothing into the pipeline and leak nothing. The transport target checks that
 * exactly the plaintext of the valid frames before the first bad one is delivered.
 */
class NoiseFuzzTest {

  /** The libp2p handshake payload (identity key + signature over the Noise static key). */
  @FuzzTest
  void handshakePayload(byte[] in) {
    try {
      PeerId id = NoisePayload.verify(in, Keys.REMOTE_STATIC.publicKey());
      assertThat(id).isNotNull();
    } catch (NoiseException e) {
      // rejected
    }
  }

  /** We are the responder; the fuzzer is the dialing initiator. */
  @FuzzTest
  void responder(FuzzedDataProvider data) {
    boolean honest = data.consumeBoolean();
    Secured done = new Secured();
    EmbeddedChannel ch = new EmbeddedChannel(new NoiseHandshakeHandler(
        false, Keys.LOCAL_STATIC, Keys.LOCAL, null, Keys.random(1), done));
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    List<ByteBuf> fed = new java.util.ArrayList<>();
    if (honest) {
      NoiseXX remote = new NoiseXX(true, Keys.REMOTE_STATIC, Keys.random(2));
      try {
        frame(wire, remote.writeMessage(data.consumeBytes(data.consumeInt(0, 64))));
        feed(ch, wire.toByteArray(), fed);
        wire.reset();
        byte[] msg2 = readFrame(ch);
        if (msg2 == null) {
          throw new AssertionError("responder did not answer a valid message 1");
        }
        byte[] payload2 = remote.readMessage(msg2);
        assertThat(NoisePayload.verify(payload2, remote.remoteStatic())).isEqualTo(Keys.LOCAL_ID);
        byte[] payload3 = data.consumeBoolean()
            ? NoisePayload.build(data.consumeBoolean() ? Keys.REMOTE : Keys.REMOTE_ED, Keys.REMOTE_STATIC.publicKey())
            : data.consumeBytes(data.consumeInt(0, 1024));
        frame(wire, remote.writeMessage(payload3));
      } catch (NoiseException e) {
        throw new AssertionError("honest initiator failed", e);
      }
    }
    wire.writeBytes(data.consumeRemainingAsBytes());
    feed(ch, wire.toByteArray(), fed);
    finish(ch, done, fed);
  }

  /** We dial; the fuzzer is the responder. */
  @FuzzTest
  void initiator(FuzzedDataProvider data) {
    boolean honest = data.consumeBoolean();
    boolean pinned = data.consumeBoolean();
    Secured done = new Secured();
    EmbeddedChannel ch = new EmbeddedChannel(new NoiseHandshakeHandler(
        true, Keys.LOCAL_STATIC, Keys.LOCAL, pinned ? Keys.REMOTE_ID : null, Keys.random(1), done));
    byte[] msg1 = readFrame(ch);
    assertThat(msg1).as("initiator sends message 1 at once").isNotNull();
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    List<ByteBuf> fed = new java.util.ArrayList<>();
    if (honest) {
      NoiseXX remote = new NoiseXX(false, Keys.REMOTE_STATIC, Keys.random(2));
      try {
        remote.readMessage(msg1);
        byte[] payload2 = data.consumeBoolean()
            ? NoisePayload.build(data.consumeBoolean() ? Keys.REMOTE : Keys.REMOTE_ED, Keys.REMOTE_STATIC.publicKey())
            : data.consumeBytes(data.consumeInt(0, 1024));
        frame(wire, remote.writeMessage(payload2));
      } catch (NoiseException e) {
        throw new AssertionError("honest responder failed", e);
      }
    }
    wire.writeBytes(data.consumeRemainingAsBytes());
    feed(ch, wire.toByteArray(), fed);
    finish(ch, done, fed);
  }

  /**
   * Transport frames after the handshake: a script of valid frames, corrupted frames and raw
   * bytes. Delivered plaintext must be exactly that of the valid frames before the first bad one.
   */
  @FuzzTest
  void transport(FuzzedDataProvider data) {
    byte[] key = new byte[32];
    key[0] = 7;
    CipherState remoteSend = NoiseFuzzAccess.cipher(key);
    NoiseTransportCodec codec = new NoiseTransportCodec(NoiseFuzzAccess.cipher(new byte[32]), NoiseFuzzAccess.cipher(key));
    EmbeddedChannel ch = new EmbeddedChannel(codec);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    boolean broken = false;
    boolean large = false;
    int ops = 0;
    while (data.remainingBytes() > 0 && ops++ < 32) {
      int op = data.consumeInt(0, 4);
      if (op <= 1 || (op == 4 && large)) {
        byte[] plain = data.consumeBytes(data.consumeInt(0, 1024));
        byte[] ct = encrypt(remoteSend, plain);
        if (op == 1) {
          int at = data.consumeInt(0, ct.length - 1);
          ct[at] ^= (byte) (1 | data.consumeInt(0, 255));
          broken = true;
        } else if (!broken) {
          expected.writeBytes(plain);
        }
        frame(wire, ct);
      } else if (op == 4) {
        // one frame of up to the largest plaintext per input (they are costly to encrypt)
        large = true;
        byte[] plain = new byte[data.consumeInt(0, NoiseTransportCodec.MAX_PLAINTEXT)];
        java.util.Arrays.fill(plain, (byte) ops);
        frame(wire, encrypt(remoteSend, plain));
        if (!broken) {
          expected.writeBytes(plain);
        }
      } else if (op == 2) {
        byte[] raw = data.consumeBytes(data.consumeInt(0, 80));
        wire.writeBytes(raw);
        broken |= raw.length > 0;
      } else {
        // a length prefix that does not match what follows
        int len = data.consumeInt(0, 65535);
        wire.write(len >>> 8);
        wire.write(len);
        broken = true;
      }
    }
    List<ByteBuf> bufs = FuzzSupport.buffers(wire.toByteArray(), 4099);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    for (ByteBuf b : bufs) {
      if (!ch.isOpen()) {
        b.release(); // closed after a bad frame: nothing more is read
        continue;
      }
      ch.writeInbound(b);
      ch.checkException();
      ByteBuf p;
      while ((p = ch.readInbound()) != null) {
        byte[] a = new byte[p.readableBytes()];
        p.readBytes(a);
        p.release();
        got.writeBytes(a);
      }
    }
    byte[] exp = expected.toByteArray();
    byte[] actual = got.toByteArray();
    if (!broken) {
      assertThat(actual).isEqualTo(exp);
      assertThat(ch.isOpen()).isTrue();
    } else {
      // everything before the first bad frame, and nothing after it
      // (a bad frame in the same read drops the plaintext decrypted before it in that read)
      assertThat(actual.length).isLessThanOrEqualTo(exp.length);
      assertThat(actual).isEqualTo(java.util.Arrays.copyOf(exp, actual.length));
    }
    CloseReason r = ChannelCloseReason.get(ch);
    if (r != null) {
      assertThat(r.kind()).isEqualTo(CloseReason.Kind.PROTOCOL_ERROR);
    }
    ch.finishAndReleaseAll();
    FuzzSupport.assertReleased(bufs, "noise transport codec");
  }

  private static byte[] encrypt(CipherState c, byte[] plain) {
    ByteBuf in = Unpooled.wrappedBuffer(plain);
    ByteBuf out = Unpooled.buffer(plain.length + CipherState.TAG);
    try {
      c.encrypt(in, 0, plain.length, out);
      byte[] ct = new byte[out.readableBytes()];
      out.readBytes(ct);
      return ct;
    } catch (NoiseException e) {
      throw new AssertionError(e);
    } finally {
      in.release();
      out.release();
    }
  }

  private static void frame(ByteArrayOutputStream out, byte[] msg) {
    if (msg.length > 65535) {
      throw new AssertionError("frame too long");
    }
    out.write(msg.length >>> 8);
    out.write(msg.length);
    out.writeBytes(msg);
  }

  /** Feeds {@code bytes} in pieces; the handler owns them (a partial frame it holds until more comes). */
  private static void feed(EmbeddedChannel ch, byte[] bytes, List<ByteBuf> fed) {
    List<ByteBuf> bufs = FuzzSupport.buffers(bytes, 701);
    fed.addAll(bufs);
    for (ByteBuf b : bufs) {
      if (!ch.isOpen()) {
        b.release();
        continue;
      }
      ch.writeInbound(b);
      ch.checkException();
    }
  }

  /** One outbound handshake frame (without its length), or null. */
  private static byte[] readFrame(EmbeddedChannel ch) {
    ByteBuf b = ch.readOutbound();
    if (b == null) {
      return null;
    }
    try {
      int len = b.readUnsignedShort();
      assertThat(b.readableBytes()).isEqualTo(len);
      byte[] m = new byte[len];
      b.readBytes(m);
      return m;
    } finally {
      b.release();
    }
  }

  private static void finish(EmbeddedChannel ch, Secured done, List<ByteBuf> fed) {
    ch.checkException();
    CloseReason r = ChannelCloseReason.get(ch);
    if (done.remote != null) {
      assertThat(r).as("secured and closed").isNull();
      assertThat(done.remote).isIn(Keys.REMOTE_ID, PeerId.fromPublicKey(Keys.REMOTE_ED.publicKey()));
    } else if (r != null) {
      assertThat(r.kind()).isIn(CloseReason.Kind.HANDSHAKE_FAILED, CloseReason.Kind.PEER_ID_MISMATCH);
      assertThat(ch.isOpen()).isFalse();
    } else {
      assertThat(ch.isOpen()).as("no outcome yet: still waiting").isTrue();
    }
    Object o;
    while ((o = ch.readOutbound()) != null) {
      ((ByteBuf) o).release();
    }
    ch.finishAndReleaseAll();
    // closed and its handlers removed: whatever partial frame the handler held is released
    FuzzSupport.assertReleased(fed, "noise handshake");
  }

  private static final class Secured implements NoiseHandshakeHandler.Done {
    PeerId remote;

    @Override
    public void secured(ChannelHandlerContext ctx, PeerId remote, CipherState send, CipherState receive, ByteBuf leftover) {
      assertThat(this.remote).as("secured once").isNull();
      this.remote = remote;
      leftover.release();
    }
  }
}
