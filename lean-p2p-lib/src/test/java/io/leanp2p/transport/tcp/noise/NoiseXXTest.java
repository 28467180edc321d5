package io.leanp2p.transport.tcp.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NoiseXXTest {
  final SecureRandom rnd = new SecureRandom();

  NoiseXX[] handshake(byte[] p1, byte[] p2, byte[] p3) throws Exception {
    NoiseXX i = new NoiseXX(true, X25519.generate(rnd), rnd);
    NoiseXX r = new NoiseXX(false, X25519.generate(rnd), rnd);
    assertThat(r.readMessage(i.writeMessage(p1))).isEqualTo(p1);
    assertThat(i.readMessage(r.writeMessage(p2))).isEqualTo(p2);
    assertThat(r.readMessage(i.writeMessage(p3))).isEqualTo(p3);
    return new NoiseXX[] {i, r};
  }

  @Test
  void handshakeCompletesWithEqualHashesAndLearnsStaticKeys() throws Exception {
    X25519.KeyPairRaw si = X25519.generate(rnd);
    X25519.KeyPairRaw sr = X25519.generate(rnd);
    NoiseXX i = new NoiseXX(true, si, rnd);
    NoiseXX r = new NoiseXX(false, sr, rnd);
    byte[] m1 = i.writeMessage(new byte[0]);
    assertThat(m1).hasSize(32); // e only
    r.readMessage(m1);
    byte[] m2 = r.writeMessage("hello".getBytes());
    assertThat(m2).hasSize(32 + 48 + 5 + 16);
    assertThat(i.readMessage(m2)).isEqualTo("hello".getBytes());
    byte[] m3 = i.writeMessage("world".getBytes());
    assertThat(r.readMessage(m3)).isEqualTo("world".getBytes());
    assertThat(i.isComplete()).isTrue();
    assertThat(r.isComplete()).isTrue();
    assertThat(i.handshakeHash()).isEqualTo(r.handshakeHash());
    assertThat(i.remoteStatic()).isEqualTo(sr.publicKey());
    assertThat(r.remoteStatic()).isEqualTo(si.publicKey());
  }

  @Test
  void transportCiphersInteroperateAndTamperingFails() throws Exception {
    NoiseXX[] hs = handshake(new byte[0], new byte[] {1}, new byte[] {2});
    CipherState[] ic = hs[0].split();
    CipherState[] rc = hs[1].split();
    byte[] msg = new byte[70_000];
    new Random(3).nextBytes(msg);
    ByteBuf plain = Unpooled.wrappedBuffer(msg);
    ByteBuf ct = Unpooled.buffer();
    ic[0].encrypt(plain, 0, msg.length, ct);
    assertThat(ct.readableBytes()).isEqualTo(msg.length + 16);
    ByteBuf out = Unpooled.buffer();
    rc[1].decrypt(ct, 0, ct.readableBytes(), out);
    assertThat(ByteBufUtil.getBytes(out)).isEqualTo(msg);
    // the other direction uses the other key
    ByteBuf ct2 = Unpooled.buffer();
    rc[0].encrypt(plain, 0, 10, ct2);
    ByteBuf out2 = Unpooled.buffer();
    ic[1].decrypt(ct2, 0, ct2.readableBytes(), out2);
    assertThat(out2.readableBytes()).isEqualTo(10);
    // a flipped bit fails authentication; the nonce does not advance
    ByteBuf ct3 = Unpooled.buffer();
    ic[0].encrypt(plain, 0, 100, ct3);
    ct3.setByte(5, ct3.getByte(5) ^ 1);
    long before = rc[1].nonce();
    assertThatThrownBy(() -> rc[1].decrypt(ct3, 0, ct3.readableBytes(), Unpooled.buffer()))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("authentication");
    assertThat(rc[1].nonce()).isEqualTo(before);
    // a replayed (old-nonce) frame fails too
    assertThatThrownBy(() -> rc[1].decrypt(ct, 0, ct.readableBytes(), Unpooled.buffer()))
        .isInstanceOf(NoiseException.class);
    for (ByteBuf b : new ByteBuf[] {plain, ct, out, ct2, out2, ct3}) {
      b.release();
    }
  }

  @Test
  void nonceExhaustionIsAnErrorNotAWrap() throws Exception {
    NoiseXX[] hs = handshake(new byte[0], new byte[0], new byte[0]);
    CipherState send = hs[0].split()[0];
    send.setNonce(-2L); // 2^64 - 2: one message left
    ByteBuf in = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
    ByteBuf out = Unpooled.buffer();
    send.encrypt(in, 0, 3, out);
    assertThat(send.nonce()).isEqualTo(-1L);
    assertThatThrownBy(() -> send.encrypt(in, 0, 3, out))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("nonce exhausted");
    in.release();
    out.release();
  }

  @Test
  void corruptedOrTruncatedHandshakeMessagesFail() throws Exception {
    for (int variant = 0; variant < 4; variant++) {
      NoiseXX i = new NoiseXX(true, X25519.generate(rnd), rnd);
      NoiseXX r = new NoiseXX(false, X25519.generate(rnd), rnd);
      r.readMessage(i.writeMessage(new byte[0]));
      byte[] m2 = r.writeMessage(new byte[] {9, 9});
      byte[] bad =
          switch (variant) {
            case 0 -> java.util.Arrays.copyOf(m2, 40); // truncated
            case 1 -> flip(m2, 40); // encrypted static key
            case 2 -> flip(m2, m2.length - 1); // payload tag
            default -> new byte[0];
          };
      assertThatThrownBy(() -> i.readMessage(bad)).isInstanceOf(NoiseException.class);
      // the state is dead afterwards
      assertThatThrownBy(() -> i.readMessage(m2)).isInstanceOf(NoiseException.class);
    }
  }

  @Test
  void messagesOutOfTurnAreRejected() throws Exception {
    NoiseXX i = new NoiseXX(true, X25519.generate(rnd), rnd);
    assertThatThrownBy(() -> i.readMessage(new byte[32])).isInstanceOf(NoiseException.class);
    NoiseXX r = new NoiseXX(false, X25519.generate(rnd), rnd);
    assertThatThrownBy(() -> r.writeMessage(new byte[0])).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void lowOrderPublicKeyIsRejected() throws Exception {
    NoiseXX i = new NoiseXX(true, X25519.generate(rnd), rnd);
    NoiseXX r = new NoiseXX(false, X25519.generate(rnd), rnd);
    r.readMessage(i.writeMessage(new byte[0]));
    byte[] m2 = r.writeMessage(new byte[0]);
    java.util.Arrays.fill(m2, 0, 32, (byte) 0); // ephemeral = 0: all-zero shared secret
    assertThatThrownBy(() -> i.readMessage(m2)).isInstanceOf(NoiseException.class);
  }

  static byte[] flip(byte[] in, int idx) {
    byte[] c = in.clone();
    c[idx] ^= 0x10;
    return c;
  }
}
