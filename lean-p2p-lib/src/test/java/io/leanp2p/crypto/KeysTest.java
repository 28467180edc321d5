package io.leanp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECNamedCurveSpec;
import org.junit.jupiter.api.Test;

class KeysTest {
  private static final byte[] MSG = "lean consensus".getBytes(StandardCharsets.UTF_8);

  /** Deterministic SecureRandom for tests (SHA1PRNG seeded before first use). */
  static SecureRandom seeded(long seed) throws Exception {
    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
    r.setSeed(seed);
    return r;
  }

  @Test
  void secp256k1SignVerifyAndTamper() throws Exception {
    Secp256k1PrivateKey k = Secp256k1PrivateKey.generate(seeded(1));
    byte[] sig = k.sign(MSG);
    assertThat(k.publicKey().verify(MSG, sig)).isTrue();
    assertThat(k.sign(MSG)).as("RFC 6979 is deterministic").isEqualTo(sig);
    assertThat(k.publicKey().verify("other".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
    byte[] bad = sig.clone();
    bad[bad.length - 1] ^= 1;
    assertThat(k.publicKey().verify(MSG, bad)).isFalse();
    Secp256k1PrivateKey other = Secp256k1PrivateKey.generate(seeded(2));
    assertThat(other.publicKey().verify(MSG, sig)).isFalse();
    assertThat(k.publicKey().verify(MSG, new byte[0])).isFalse();
    assertThat(k.publicKey().raw()).hasSize(33);
    assertThat(k.publicKey().toProtobuf()).hasSize(37).startsWith(0x08, 0x02, 0x12, 0x21);
    assertThat(PeerId.fromPublicKey(k.publicKey()).toBase58()).startsWith("16Uiu2");
  }

  @Test
  void secp256k1Rfc6979KnownVector() throws Exception {
    // private key 1, message "Satoshi Nakamoto" (widely published RFC 6979 secp256k1 vector)
    Secp256k1PrivateKey k = Secp256k1PrivateKey.fromHex("0000000000000000000000000000000000000000000000000000000000000001");
    BigInteger[] rs = k.signHash(Secp256k1PublicKey.sha256("Satoshi Nakamoto".getBytes(StandardCharsets.US_ASCII)));
    assertThat(rs[0].toString(16)).isEqualTo("934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8");
    assertThat(rs[1].toString(16)).isEqualTo("2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5");
  }

  @Test
  void secp256k1SignaturesAreLowSAndStrictDer() throws Exception {
    SecureRandom rnd = seeded(3);
    Secp256k1PrivateKey k = Secp256k1PrivateKey.generate(rnd);
    for (int i = 0; i < 64; i++) {
      byte[] m = new byte[i];
      rnd.nextBytes(m);
      byte[] sig = k.sign(m);
      BigInteger[] rs = org.bouncycastle.crypto.signers.StandardDSAEncoding.INSTANCE.decode(Secp256k1.N, sig);
      assertThat(rs[1]).isLessThanOrEqualTo(Secp256k1.HALF_N);
      // the same (r, n - s) (high-S) still verifies: documented decision
      byte[] high = org.bouncycastle.crypto.signers.StandardDSAEncoding.INSTANCE.encode(
          Secp256k1.N, rs[0], Secp256k1.N.subtract(rs[1]));
      assertThat(k.publicKey().verify(m, high)).isTrue();
      // non-canonical DER (extra trailing byte / long-form length) is rejected
      byte[] trailing = java.util.Arrays.copyOf(sig, sig.length + 1);
      assertThat(k.publicKey().verify(m, trailing)).isFalse();
    }
  }

  @Test
  void secp256k1CrossCheckWithBouncyCastleJca() throws Exception {
    BouncyCastleProvider bc = new BouncyCastleProvider();
    ECNamedCurveParameterSpec p = ECNamedCurveTable.getParameterSpec("secp256k1");
    ECNamedCurveSpec spec = new ECNamedCurveSpec("secp256k1", p.getCurve(), p.getG(), p.getN(), p.getH());
    KeyFactory kf = KeyFactory.getInstance("EC", bc);
    SecureRandom rnd = seeded(4);
    for (int i = 0; i < 8; i++) {
      Secp256k1PrivateKey k = Secp256k1PrivateKey.generate(rnd);
      org.bouncycastle.math.ec.ECPoint q = k.publicKey().point();
      java.security.PublicKey jpub = kf.generatePublic(new ECPublicKeySpec(
          new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), spec));
      java.security.PrivateKey jpriv = kf.generatePrivate(new ECPrivateKeySpec(new BigInteger(1, k.raw()), spec));
      // ours -> BC JCA
      byte[] sig = k.sign(MSG);
      Signature v = Signature.getInstance("SHA256withECDSA", bc);
      v.initVerify(jpub);
      v.update(MSG);
      assertThat(v.verify(sig)).isTrue();
      // BC JCA (random k, S not normalised) -> ours
      Signature s = Signature.getInstance("SHA256withECDSA", bc);
      s.initSign(jpriv, rnd);
      s.update(MSG);
      assertThat(k.publicKey().verify(MSG, s.sign())).isTrue();
    }
  }

  @Test
  void secp256k1FromHexRoundTrip() throws Exception {
    Secp256k1PrivateKey k = Secp256k1PrivateKey.generate(seeded(5));
    String hex = Hex.encode(k.raw());
    Secp256k1PrivateKey back = Secp256k1PrivateKey.fromHex(hex);
    assertThat(back.raw()).isEqualTo(k.raw());
    assertThat(back.publicKey()).isEqualTo(k.publicKey());
    assertThat(Secp256k1PrivateKey.fromHex("0x" + hex).publicKey()).isEqualTo(k.publicKey());
    assertThatThrownBy(() -> Secp256k1PrivateKey.fromHex("00".repeat(32))).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Secp256k1PrivateKey.fromHex("ff".repeat(32))).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Secp256k1PrivateKey.fromHex("zz".repeat(32))).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Secp256k1PrivateKey.fromHex("01".repeat(31))).isInstanceOf(DecodeException.class);
  }

  @Test
  void ed25519Rfc8032Vector1() throws Exception {
    Ed25519PrivateKey k = Ed25519PrivateKey.fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    assertThat(Hex.encode(k.publicKey().raw()))
        .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    byte[] sig = k.sign(new byte[0]);
    assertThat(Hex.encode(sig)).isEqualTo(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assertThat(k.publicKey().verify(new byte[0], sig)).isTrue();
    assertThat(Hex.encode(Ed25519PrivateKey.fromHex(Hex.encode(k.raw())).raw())).isEqualTo(Hex.encode(k.raw()));
  }

  @Test
  void ed25519SignVerifyAndTamper() throws Exception {
    Ed25519PrivateKey k = Ed25519PrivateKey.generate(seeded(6));
    byte[] sig = k.sign(MSG);
    assertThat(sig).hasSize(64);
    assertThat(k.publicKey().verify(MSG, sig)).isTrue();
    sig[10] ^= 4;
    assertThat(k.publicKey().verify(MSG, sig)).isFalse();
    assertThat(k.publicKey().verify(MSG, new byte[63])).isFalse();
    assertThat(k.publicKey().toProtobuf()).hasSize(36);
    assertThat(PeerId.fromPublicKey(k.publicKey()).toBase58()).startsWith("12D3KooW");
    assertThat(Ed25519PrivateKey.fromBytes(k.raw()).publicKey()).isEqualTo(k.publicKey());
  }

  @Test
  void protobufIsStrict() throws Exception {
    byte[] good = Secp256k1PrivateKey.generate(seeded(7)).publicKey().toProtobuf();
    assertThat(PublicKey.fromProtobuf(good).toProtobuf()).isEqualTo(good);
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
    assertReason(() -> PublicKey.fromProtobuf(trailing), DecodeException.Reason.TRAILING_BYTES);
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
    assertReason(() -> PublicKey.fromProtobuf(truncated), DecodeException.Reason.TRUNCATED);
    // fields swapped
    byte[] swapped = new byte[good.length];
    swapped[0] = 0x12;
    swapped[1] = 0x21;
    System.arraycopy(good, 4, swapped, 2, 33);
    swapped[35] = 0x08;
    swapped[36] = 0x02;
    assertReason(() -> PublicKey.fromProtobuf(swapped), DecodeException.Reason.MALFORMED);
    // non-minimal type varint 0x82 0x00
    byte[] nonMinimal = new byte[good.length + 1];
    nonMinimal[0] = 0x08;
    nonMinimal[1] = (byte) 0x82;
    nonMinimal[2] = 0x00;
    System.arraycopy(good, 2, nonMinimal, 3, good.length - 2);
    assertReason(() -> PublicKey.fromProtobuf(nonMinimal), DecodeException.Reason.NON_CANONICAL);
    assertReason(() -> PublicKey.fromProtobuf(Hex.decode("08001203010203")), DecodeException.Reason.UNSUPPORTED);
    assertReason(() -> PublicKey.fromProtobuf(Hex.decode("08031203010203")), DecodeException.Reason.UNSUPPORTED);
    assertReason(() -> PublicKey.fromProtobuf(Hex.decode("08091203010203")), DecodeException.Reason.UNSUPPORTED);
    // 33 bytes but not a point on the curve (x = 5 has no y on secp256k1)
    byte[] notOnCurve = new byte[33];
    notOnCurve[0] = 0x02;
    notOnCurve[32] = 0x05;
    assertReason(() -> PublicKey.of(KeyType.SECP256K1, notOnCurve), DecodeException.Reason.MALFORMED);
    // SEC1 forms: uncompressed accepted by fromSec1, hybrid (06/07) and 04-with-33-bytes rejected
    Secp256k1PublicKey pub = Secp256k1PrivateKey.generate(seeded(10)).publicKey();
    assertThat(Secp256k1PublicKey.fromSec1(pub.uncompressed())).isEqualTo(pub);
    byte[] hybrid = pub.uncompressed();
    hybrid[0] = (byte) (6 + (hybrid[64] & 1));
    assertReason(() -> Secp256k1PublicKey.fromSec1(hybrid), DecodeException.Reason.MALFORMED);
    assertReason(() -> PublicKey.of(KeyType.SECP256K1, pub.uncompressed()), DecodeException.Reason.MALFORMED);
    assertReason(() -> PublicKey.fromProtobuf(Hex.decode("0802121201")), DecodeException.Reason.TRUNCATED);
    assertReason(() -> PublicKey.fromProtobuf(new byte[0]), DecodeException.Reason.MALFORMED);
    assertReason(() -> PublicKey.fromProtobuf(Hex.decode("0802128080808008")), DecodeException.Reason.TOO_LARGE);
  }

  @Test
  void privateKeyProtobufRoundTrip() throws Exception {
    Secp256k1PrivateKey s = Secp256k1PrivateKey.generate(seeded(8));
    byte[] spb = s.toProtobuf();
    assertThat(spb).hasSize(36).startsWith(0x08, 0x02, 0x12, 0x20);
    assertThat(PrivateKey.fromProtobuf(spb).publicKey()).isEqualTo(s.publicKey());
    Ed25519PrivateKey e = Ed25519PrivateKey.generate(seeded(9));
    byte[] epb = e.toProtobuf();
    assertThat(epb).hasSize(68).startsWith(0x08, 0x01, 0x12, 0x40);
    assertThat(PrivateKey.fromProtobuf(epb).publicKey()).isEqualTo(e.publicKey());
    epb[epb.length - 1] ^= 1;
    assertReason(() -> PrivateKey.fromProtobuf(epb), DecodeException.Reason.MALFORMED);
    assertReason(() -> PrivateKey.fromProtobuf(Hex.decode("08001201ff")), DecodeException.Reason.UNSUPPORTED);
    assertThat(s.toString()).doesNotContain(Hex.encode(s.raw()));
  }

  @Test
  void peerIdRejectsBadMultihashes() {
    assertReason(() -> PeerId.fromBytes(Hex.decode("121f" + "00".repeat(31))), DecodeException.Reason.MALFORMED);
    assertReason(() -> PeerId.fromBytes(Hex.decode("1220" + "00".repeat(31))), DecodeException.Reason.TRUNCATED);
    assertReason(() -> PeerId.fromBytes(Hex.decode("1320" + "00".repeat(32))), DecodeException.Reason.UNSUPPORTED);
    assertReason(() -> PeerId.fromBytes(Hex.decode("002b" + "00".repeat(43))), DecodeException.Reason.TOO_LARGE);
    assertReason(() -> PeerId.fromBytes(Hex.decode("0002000000")), DecodeException.Reason.TRAILING_BYTES);
    assertReason(() -> PeerId.fromBase58("16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLp0"), DecodeException.Reason.MALFORMED);
  }

  @Property
  void protobufGarbageOnlyDecodeException(@ForAll byte[] in) {
    try {
      PublicKey k = PublicKey.fromProtobuf(in);
      assertThat(k.toProtobuf()).isEqualTo(in);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Property
  void nearValidProtobufGarbage(@ForAll long seed) throws Exception {
    // mutate a valid secp256k1 protobuf: exercises the point decoder, not just the framing
    Random r = new Random(seed);
    byte[] pb = Hex.decode("0802122103ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138");
    int flips = 1 + r.nextInt(3);
    for (int i = 0; i < flips; i++) {
      pb[r.nextInt(pb.length)] = (byte) r.nextInt(256);
    }
    try {
      PublicKey k = PublicKey.fromProtobuf(pb);
      assertThat(k.toProtobuf()).isEqualTo(pb);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Property
  void peerIdGarbageOnlyDecodeException(@ForAll byte[] in) {
    try {
      assertThat(PeerId.fromBytes(in).toBytes()).isEqualTo(in);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Property(tries = 300)
  void signVerifyProperty(@ForAll long seed, @ForAll byte[] msg, @ForAll boolean ed) throws Exception {
    PrivateKey k = ed ? Ed25519PrivateKey.generate(seeded(seed)) : Secp256k1PrivateKey.generate(seeded(seed));
    byte[] sig = k.sign(msg);
    assertThat(k.publicKey().verify(msg, sig)).isTrue();
    PeerId id = PeerId.fromPublicKey(k.publicKey());
    assertThat(PeerId.fromBase58(id.toBase58())).isEqualTo(id).isEqualByComparingTo(id).hasSameHashCodeAs(id);
    PeerId other = PeerId.fromPublicKey(Ed25519PrivateKey.generate(seeded(~seed)).publicKey());
    assertThat(Integer.signum(id.compareTo(other))).isEqualTo(-Integer.signum(other.compareTo(id)));
    assertThat(id.compareTo(other) == 0).isEqualTo(id.equals(other));
    assertThat(id.extractPublicKey()).contains(k.publicKey());
    assertThat(PublicKey.fromProtobuf(k.publicKey().toProtobuf())).isEqualTo(k.publicKey());
  }

  @Property
  void verifyGarbageSignatureNeverThrows(@ForAll byte[] sig) throws Exception {
    Secp256k1PublicKey k = Secp256k1PublicKey.fromBytes(
        Hex.decode("03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138"));
    assertThat(k.verify(MSG, sig)).isFalse();
  }

  interface Thrower {
    void run() throws Exception;
  }

  static void assertReason(Thrower t, DecodeException.Reason reason) {
    assertThatThrownBy(t::run)
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(reason));
  }
}
