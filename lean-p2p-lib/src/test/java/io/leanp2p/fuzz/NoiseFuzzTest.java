package io.leanp2p.fuzz;

import static io.leanp2p.fuzz.FuzzSupport.check;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.tcp.noise.CipherState;
import io.leanp2p.transport.tcp.noise.NoiseException;
import io.leanp2p.transport.tcp.noise.NoiseFuzzAccess;
import io.leanp2p.transport.tcp.noise.NoiseHandshakeHandler;
import io.leanp2p.transport.tcp.noise.NoisePayload;
import io.leanp2p.transport.tcp.noise.NoiseTransportCodec;
import io.leanp2p.transport.tcp.noise.NoiseXX;
import io.leanp2p.transport.tcp.noise.X25519;
import io.leanp2p.util.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Noise XX as libp2p runs it over TCP.
 *
 * <p>The handshake targets run the production {@link NoiseHandshakeHandler} against a remote the
 * fuzzer scripts message by message: honest (valid AEAD, so that its payload reaches the protobuf,
 * key and signature checks), honest but claiming other keys (low-order and non-canonical points,
 * our own keys), honest then corrupted, or raw bytes; then any bytes. All keys are fixed, the
 * ephemerals included, and the key agreements between them are cached ({@link NoiseFuzzAccess}):
 * after the first input a handshake costs symmetric crypto only, and the handler reaches every
 * branch a remote can reach. The handler must end with exactly one of "secured" (with the PeerId
 * the payload proves, the bytes after the last handshake message handed on exactly) or a typed
 * close, succeed whenever the remote was honest, throw nothing into the pipeline and leak nothing.
 * The transport target checks that exactly the plaintext of the valid frames before the first bad
 * one is delivered.
 */
class NoiseFuzzTest {
  /** Our payload and the remote's, signed once (the handler under test is given ours). */
  private static final byte[] LOCAL_PAYLOAD = NoisePayload.build(Keys.LOCAL, Keys.LOCAL_STATIC.publicKey());
  private static final byte[][] REMOTE_PAYLOADS = {
    NoisePayload.build(Keys.REMOTE, Keys.REMOTE_STATIC.publicKey()),
    NoisePayload.build(Keys.REMOTE_ED, Keys.REMOTE_STATIC.publicKey()),
  };
  private static final PeerId REMOTE_ED_ID = PeerId.fromPublicKey(Keys.REMOTE_ED.publicKey());
  private static final PeerId[] REMOTE_PAYLOAD_IDS = {Keys.REMOTE_ID, REMOTE_ED_ID};

  /**
   * Public keys a remote may claim as its ephemeral or static key besides its own: the low-order
   * points of Curve25519 (the agreement is all zeros and refused), non-canonical encodings (u >= p,
   * the top bit set), our own keys.
   */
  private static final byte[][] POINTS = {
    Hex.decode("0000000000000000000000000000000000000000000000000000000000000000"),
    Hex.decode("0100000000000000000000000000000000000000000000000000000000000000"),
    Hex.decode("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    Hex.decode("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
    Hex.decode("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    Hex.decode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    Hex.decode("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    Hex.decode("0000000000000000000000000000000000000000000000000000000000000080"),
    topBitSet(Keys.REMOTE_STATIC.publicKey()),
    topBitSet(Keys.REMOTE_EPHEMERAL.publicKey()),
    Keys.LOCAL_STATIC.publicKey(),
    Keys.LOCAL_EPHEMERAL.publicKey(),
  };

  /** The initiator's message 1 with our fixed ephemeral: {@code e}, empty payload. */
  private static final byte[] LOCAL_MESSAGE_1 = Keys.LOCAL_EPHEMERAL.publicKey();

  static {
    try {
      // what the handler under test sends is a valid payload (checked once: it is signed once)
      check(NoisePayload.verify(LOCAL_PAYLOAD, Keys.LOCAL_STATIC.publicKey()).equals(Keys.LOCAL_ID), "local payload");
      for (int i = 0; i < REMOTE_PAYLOADS.length; i++) {
        check(NoisePayload.verify(REMOTE_PAYLOADS[i], Keys.REMOTE_STATIC.publicKey()).equals(REMOTE_PAYLOAD_IDS[i]),
            "remote payload");
      }
    } catch (NoiseException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The libp2p handshake payload (identity key + signature over the Noise static key). */
  @FuzzTest
  void handshakePayload(byte[] in) {
    try {
      PeerId id = NoisePayload.verify(in, Keys.REMOTE_STATIC.publicKey());
      check(id != null, "verified payload without PeerId");
    } catch (NoiseException e) {
      // rejected
    }
  }

  /** We are the responder; the fuzzer is the dialing initiator. */
  @FuzzTest
  void responder(FuzzedDataProvider data) {
    // the keys the remote claims: its own, or one of POINTS (it cannot complete the handshake then)
    int claimE = data.consumeInt(0, POINTS.length);
    int claimS = data.consumeInt(0, POINTS.length);
    NoiseXX remote = NoiseFuzzAccess.noise(true, claimed(Keys.REMOTE_STATIC, claimS), claimed(Keys.REMOTE_EPHEMERAL, claimE));
    Handshake hs = new Handshake(false, null);
    // message 1: -> e
    int m1 = data.consumeInt(0, 3);
    if (m1 == 0) {
      // a responder reads the payload of message 1 and ignores it
      hs.frame(write(remote, data.consumeBytes(data.consumeInt(0, 64))));
    } else if (m1 == 1) {
      hs.frame(data.consumeBytes(data.consumeInt(0, 80))); // raw: short, or an arbitrary key
      remote = null;
    } else {
      remote = null; // m1 >= 2: no frame, only the raw bytes below
    }
    hs.feed();
    byte[] msg2 = hs.readFrame();
    boolean honest = false;
    int payloadIndex = -1;
    if (remote != null) {
      boolean ownE = holds(Keys.REMOTE_EPHEMERAL, claimE);
      check(msg2 != null || !ownE, "responder did not answer a valid message 1");
      byte[] payload2 = msg2 == null ? null : tryRead(remote, msg2);
      if (ownE) {
        // our answer authenticates under the remote's own keys and carries our payload
        check(payload2 != null, "an honest initiator cannot read message 2");
        check(Arrays.equals(payload2, LOCAL_PAYLOAD), "message 2 does not carry our payload");
      }
      if (payload2 != null) {
        // message 3: -> s, se with a payload
        int m3 = data.consumeInt(0, 4);
        if (m3 == 0) {
          hs.frame(write(remote, data.consumeBytes(data.consumeInt(0, 1024))));
        } else if (m3 == 1 || m3 == 2) {
          payloadIndex = data.consumeInt(0, REMOTE_PAYLOADS.length - 1);
          byte[] msg3 = write(remote, REMOTE_PAYLOADS[payloadIndex]);
          if (m3 == 2) {
            msg3[data.consumeInt(0, msg3.length - 1)] ^= (byte) (1 | data.consumeInt(0, 255));
            payloadIndex = -1;
          }
          hs.frame(msg3);
        } else if (m3 == 3) {
          hs.frame(data.consumeBytes(data.consumeInt(0, 200)));
        }
        honest = payloadIndex >= 0 && claimS == 0;
      }
    }
    hs.endOfHandshake();
    hs.trailing(data.consumeRemainingAsBytes());
    hs.feed();
    hs.finish(honest ? REMOTE_PAYLOAD_IDS[payloadIndex] : null, false, claimS != 0);
  }

  /** We dial; the fuzzer is the responder. */
  @FuzzTest
  void initiator(FuzzedDataProvider data) {
    boolean pinned = data.consumeBoolean();
    int claimE = data.consumeInt(0, POINTS.length);
    int claimS = data.consumeInt(0, POINTS.length);
    NoiseXX remote = NoiseFuzzAccess.noise(false, claimed(Keys.REMOTE_STATIC, claimS), claimed(Keys.REMOTE_EPHEMERAL, claimE));
    Handshake hs = new Handshake(true, pinned ? Keys.REMOTE_ID : null);
    byte[] msg1 = hs.readFrame();
    check(Arrays.equals(msg1, LOCAL_MESSAGE_1), "initiator sends message 1 (e, empty payload) at once");
    check(tryRead(remote, msg1) != null, "message 1 does not read");
    // message 2: <- e, ee, s, es with a payload
    int m2 = data.consumeInt(0, 4);
    int payloadIndex = -1;
    if (m2 == 0) {
      hs.frame(write(remote, data.consumeBytes(data.consumeInt(0, 1024))));
    } else if (m2 == 1 || m2 == 2) {
      payloadIndex = data.consumeInt(0, REMOTE_PAYLOADS.length - 1);
      byte[] msg2 = write(remote, REMOTE_PAYLOADS[payloadIndex]);
      if (m2 == 2) {
        msg2[data.consumeInt(0, msg2.length - 1)] ^= (byte) (1 | data.consumeInt(0, 255));
        payloadIndex = -1;
      }
      hs.frame(msg2);
    } else if (m2 == 3) {
      hs.frame(data.consumeBytes(data.consumeInt(0, 200))); // raw: short, or arbitrary keys
    }
    // an ephemeral with the top bit set is the same key (RFC 7748 masks the bit); a static key is
    // signed as sent, so any other claim is refused
    boolean honest = payloadIndex >= 0 && holds(Keys.REMOTE_EPHEMERAL, claimE) && claimS == 0;
    hs.endOfHandshake();
    hs.trailing(data.consumeRemainingAsBytes());
    hs.feed();
    PeerId proven = honest ? REMOTE_PAYLOAD_IDS[payloadIndex] : null;
    boolean mismatch = pinned && proven != null && !proven.equals(Keys.REMOTE_ID);
    if (hs.done.remote != null) {
      // we answered with message 3, which authenticates under the remote's keys and carries our payload
      byte[] msg3 = hs.readFrame();
      check(msg3 != null, "secured without sending message 3");
      byte[] payload3 = tryRead(remote, msg3);
      check(payload3 != null && Arrays.equals(payload3, LOCAL_PAYLOAD), "message 3 does not carry our payload");
    }
    hs.finish(mismatch ? null : proven, mismatch, claimS != 0);
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
    EmbeddedChannel ch = FuzzSupport.channel(codec);
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
        Arrays.fill(plain, (byte) ops);
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
      drainInbound(ch, got);
    }
    byte[] exp = expected.toByteArray();
    byte[] actual = got.toByteArray();
    if (!broken) {
      check(Arrays.equals(actual, exp), "delivered plaintext differs from the frames sent");
      check(ch.isOpen(), "closed on valid frames");
    } else {
      // everything before the first bad frame, and nothing after it
      // (a bad frame in the same read drops the plaintext decrypted before it in that read)
      check(actual.length <= exp.length, "delivered more than the valid frames before the first bad one");
      check(Arrays.equals(actual, 0, actual.length, exp, 0, actual.length), "delivered other than a prefix");
    }
    CloseReason r = ChannelCloseReason.get(ch);
    if (r != null && r.kind() != CloseReason.Kind.PROTOCOL_ERROR) {
      throw new AssertionError("close reason " + r);
    }
    ch.finishAndReleaseAll();
    FuzzSupport.assertReleased(bufs, "noise transport codec");
    FuzzSupport.assertNoLiveBuffers(ch, "noise transport codec");
  }

  /** The handler under test on a channel, what the fuzzer's side sent it, and its outcome. */
  private static final class Handshake {
    final Secured done = new Secured();
    final EmbeddedChannel ch;
    final ByteArrayOutputStream wire = new ByteArrayOutputStream();
    final List<ByteBuf> fed = new ArrayList<>();
    private int sent; // bytes of wire fed so far
    private int handshakeEnd = -1; // where the bytes after the last handshake message start

    Handshake(boolean initiator, PeerId expected) {
      ch = FuzzSupport.channel(NoiseFuzzAccess.handler(initiator, Keys.LOCAL_STATIC, Keys.LOCAL_EPHEMERAL,
          LOCAL_PAYLOAD, expected, done));
    }

    void frame(byte[] msg) {
      NoiseFuzzTest.frame(wire, msg);
    }

    void endOfHandshake() {
      handshakeEnd = wire.size();
    }

    void trailing(byte[] bytes) {
      wire.writeBytes(bytes);
    }

    /** Feeds what was written since the last call, in pieces; the handler owns them. */
    void feed() {
      byte[] all = wire.toByteArray();
      List<ByteBuf> bufs = FuzzSupport.buffers(Arrays.copyOfRange(all, sent, all.length), 701);
      sent = all.length;
      fed.addAll(bufs);
      for (ByteBuf b : bufs) {
        if (!ch.isOpen()) {
          b.release(); // closed: nothing more arrives
          continue;
        }
        ch.writeInbound(b);
        ch.checkException();
      }
    }

    /** One outbound handshake frame (without its length), or null. */
    byte[] readFrame() {
      ByteBuf b = ch.readOutbound();
      if (b == null) {
        return null;
      }
      try {
        int len = b.readUnsignedShort();
        check(b.readableBytes() == len, "a handshake frame is written whole");
        byte[] m = new byte[len];
        b.readBytes(m);
        return m;
      } finally {
        b.release();
      }
    }

    /**
     * Checks the outcome: secured once with the PeerId the payload proves, and then everything
     * after the last handshake message handed on exactly; or a typed close; or still waiting. An
     * honest remote ({@code honestId} non-null) must get "secured" with that PeerId; a pinned
     * mismatch must be closed as one; a remote that claimed a static key it does not hold must not
     * get "secured".
     */
    void finish(PeerId honestId, boolean mismatch, boolean forgedStatic) {
      ch.checkException();
      ByteArrayOutputStream after = new ByteArrayOutputStream();
      drainInbound(ch, after);
      CloseReason r = ChannelCloseReason.get(ch);
      if (done.remote != null) {
        check(r == null, "secured and closed");
        check(!forgedStatic, "secured a remote claiming a static key it does not hold");
        check(done.remote.equals(Keys.REMOTE_ID) || done.remote.equals(REMOTE_ED_ID), "secured with an unknown PeerId");
        check(handshakeEnd >= 0, "secured by raw bytes");
        byte[] all = wire.toByteArray();
        check(Arrays.equals(after.toByteArray(), Arrays.copyOfRange(all, handshakeEnd, all.length)),
            "the bytes after the handshake are not handed on exactly");
        if (honestId != null) {
          check(done.remote.equals(honestId), "secured with another PeerId than the payload proves");
        }
      } else {
        check(after.size() == 0, "bytes passed on before the handshake completed");
        check(honestId == null, "an honest remote was not accepted");
        if (r != null) {
          if (r.kind() != CloseReason.Kind.HANDSHAKE_FAILED && r.kind() != CloseReason.Kind.PEER_ID_MISMATCH) {
            throw new AssertionError("close reason " + r);
          }
          check(!mismatch || r.kind() == CloseReason.Kind.PEER_ID_MISMATCH, "a pinned mismatch closed otherwise");
          check(!ch.isOpen(), "close reason recorded, channel open");
        } else {
          check(!mismatch, "a pinned mismatch was not closed");
          check(ch.isOpen(), "closed without a reason");
        }
      }
      Object o;
      while ((o = ch.readOutbound()) != null) {
        ((ByteBuf) o).release();
      }
      ch.finishAndReleaseAll();
      // closed and its handlers removed: whatever partial frame the handler held is released
      FuzzSupport.assertReleased(fed, "noise handshake");
      FuzzSupport.assertNoLiveBuffers(ch, "noise handshake");
    }
  }

  /** As the connection upgrade does: on success the handler hands the leftover on and leaves. */
  private static final class Secured implements NoiseHandshakeHandler.Done {
    PeerId remote;

    @Override
    public void secured(ChannelHandlerContext ctx, PeerId remote, CipherState send, CipherState receive, ByteBuf leftover) {
      check(this.remote == null, "secured twice");
      this.remote = remote;
      if (leftover.isReadable()) {
        ctx.fireChannelRead(leftover);
      } else {
        leftover.release();
      }
      ctx.pipeline().remove(ctx.handler());
    }
  }

  private static X25519.KeyPairRaw claimed(X25519.KeyPairRaw own, int claim) {
    return claim == 0 ? own : new X25519.KeyPairRaw(own.privateKey(), POINTS[claim - 1]);
  }

  /** Whether the claimed key is {@code own}'s public key, up to the top bit X25519 ignores. */
  private static boolean holds(X25519.KeyPairRaw own, int claim) {
    if (claim == 0) {
      return true;
    }
    byte[] k = POINTS[claim - 1].clone();
    k[31] &= 0x7f;
    return Arrays.equals(k, own.publicKey());
  }

  private static byte[] topBitSet(byte[] key) {
    byte[] k = key.clone();
    k[31] |= (byte) 0x80;
    return k;
  }

  private static byte[] write(NoiseXX noise, byte[] payload) {
    try {
      return noise.writeMessage(payload);
    } catch (NoiseException e) {
      throw new AssertionError("the fuzzer's side cannot write", e);
    }
  }

  /** The payload, or null when the message does not authenticate for the fuzzer's side. */
  private static byte[] tryRead(NoiseXX noise, byte[] msg) {
    try {
      return noise.readMessage(msg);
    } catch (NoiseException e) {
      return null;
    }
  }

  private static void drainInbound(EmbeddedChannel ch, ByteArrayOutputStream out) {
    Object o;
    while ((o = ch.readInbound()) != null) {
      ByteBuf p = (ByteBuf) o;
      byte[] a = new byte[p.readableBytes()];
      p.readBytes(a);
      p.release();
      out.writeBytes(a);
    }
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
}
