package io.leanp2p.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.crypto.Ed25519PrivateKey;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.transport.quic.CertificateRejectedException.Reason;
import io.leanp2p.util.Hex;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class Libp2pTlsTest {
  private static final SecureRandom RANDOM = new SecureRandom(new byte[] {1, 2, 3});
  private final PrivateKey secp = Secp256k1PrivateKey.generate(RANDOM);
  private final PrivateKey ed = Ed25519PrivateKey.generate(RANDOM);

  private static PeerId verify(byte[] der) throws CertificateRejectedException {
    return Libp2pTls.verify(new byte[][] {der}, Instant.now());
  }

  private static void assertRejected(byte[] der, Reason reason) {
    assertRejected(new byte[][] {der}, Instant.now(), reason);
  }

  private static void assertRejected(byte[][] chain, Instant at, Reason reason) {
    assertThatThrownBy(() -> Libp2pTls.verify(chain, at))
        .isInstanceOf(CertificateRejectedException.class)
        .satisfies(e -> assertThat(((CertificateRejectedException) e).reason()).isEqualTo(reason));
  }

  @Test
  void generatedSecp256k1CertificateVerifiesToItsPeerId() throws Exception {
    Instant now = Instant.now();
    CertAndKey ck = Libp2pTls.generate(secp, RANDOM, now);
    assertThat(Libp2pTls.verify(new byte[][] {ck.certificateDer()}, now))
        .isEqualTo(PeerId.fromPublicKey(secp.publicKey()));
    assertThat(ck.certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(ck.certificate().getCriticalExtensionOIDs()).contains(Libp2pTls.EXTENSION_OID);
    // valid from now-1h to now+365d
    assertRejected(new byte[][] {ck.certificateDer()}, now.plus(Duration.ofDays(366)), Reason.EXPIRED);
    assertRejected(
        new byte[][] {ck.certificateDer()}, now.minus(Duration.ofHours(2)), Reason.NOT_YET_VALID);
  }

  @Test
  void generatedEd25519CertificateVerifiesToItsPeerId() throws Exception {
    CertAndKey ck = Libp2pTls.generate(ed, RANDOM, Instant.now());
    assertThat(verify(ck.certificateDer())).isEqualTo(PeerId.fromPublicKey(ed.publicKey()));
  }

  @Test
  void everyCertificateHasAFreshTlsKey() {
    CertAndKey a = Libp2pTls.generate(secp, RANDOM, Instant.now());
    CertAndKey b = Libp2pTls.generate(secp, RANDOM, Instant.now());
    assertThat(a.certificate().getPublicKey()).isNotEqualTo(b.certificate().getPublicKey());
  }

  @Test
  void emptyDnCertificatesLikeRustsAreAcceptedCriticalOrNot() throws Exception {
    TestCerts t = new TestCerts(secp, RANDOM);
    assertThat(verify(t.build())).isEqualTo(PeerId.fromPublicKey(secp.publicKey()));
    t.critical = false;
    assertThat(verify(t.build())).isEqualTo(PeerId.fromPublicKey(secp.publicKey()));
    TestCerts e = new TestCerts(ed, RANDOM);
    e.critical = false;
    assertThat(verify(e.build())).isEqualTo(PeerId.fromPublicKey(ed.publicKey()));
  }

  @Test
  @SuppressWarnings("unchecked")
  void leanSpecSampleCertificateVerifiesAndYieldsItsPeerId() throws Exception {
    Map<String, Object> root = Fixtures.readObject(Fixtures.requireRoot().resolve("vectors.json"));
    Map<String, Object> extra = (Map<String, Object>) root.get("computed_extra");
    Map<String, Object> s = (Map<String, Object>) extra.get("libp2p_tls_certificate_sample");
    byte[] der = Hex.decode((String) s.get("certificate_der"));
    Instant notBefore = Instant.parse(((String) s.get("not_before")).replace("+00:00", "Z"));
    Instant notAfter = Instant.parse(((String) s.get("not_after")).replace("+00:00", "Z"));
    Instant inside = notBefore.plus(Duration.ofDays(1));
    PeerId id = Libp2pTls.verify(new byte[][] {der}, inside);
    assertThat(id.toBase58()).isEqualTo(s.get("expected_peer_id"));
    assertThat(id.toBase58()).isEqualTo(s.get("verify_libp2p_certificate_result"));
    // the identity key in the certificate is the fixture's secp256k1 key
    PrivateKey key = Secp256k1PrivateKey.fromHex((String) s.get("identity_secp256k1_private_key"));
    assertThat(id).isEqualTo(PeerId.fromPublicKey(key.publicKey()));
    assertRejected(new byte[][] {der}, notAfter.plusSeconds(1), Reason.EXPIRED);
    assertRejected(new byte[][] {der}, notBefore.minusSeconds(1), Reason.NOT_YET_VALID);
  }

  @Test
  void missingExtensionIsRejected() throws Exception {
    TestCerts t = new TestCerts(secp, RANDOM);
    t.withExtension = false;
    assertRejected(t.build(), Reason.MISSING_EXTENSION);
  }

  @Test
  void malformedExtensionIsRejected() throws Exception {
    byte[] pk = secp.publicKey().toProtobuf();
    byte[][] bad = {
      {1, 2, 3},
      {0x30, 0x00},
      Hex.decode("0x3003040100"), // one OCTET STRING only... truncated inner
      TestCerts.signedKey(pk, new byte[] {1}).clone(),
      concat(TestCerts.signedKey(pk, new byte[] {1}), new byte[] {0}), // trailing byte
      new org.bouncycastle.asn1.DERSequence(
              new org.bouncycastle.asn1.ASN1Encodable[] {
                new org.bouncycastle.asn1.DEROctetString(pk),
                new org.bouncycastle.asn1.DEROctetString(new byte[] {1}),
                new org.bouncycastle.asn1.DEROctetString(new byte[] {2})
              })
          .getEncoded(),
      new org.bouncycastle.asn1.DERSequence(
              new org.bouncycastle.asn1.ASN1Encodable[] {
                new org.bouncycastle.asn1.ASN1Integer(1),
                new org.bouncycastle.asn1.DEROctetString(new byte[] {2})
              })
          .getEncoded(),
    };
    for (int i = 0; i < bad.length; i++) {
      TestCerts t = new TestCerts(secp, RANDOM);
      t.extensionValue = bad[i];
      Reason expected = i == 3 ? Reason.BAD_SIGNATURE : Reason.MALFORMED_EXTENSION;
      assertRejected(t.build(), expected);
    }
    // a malformed protobuf key inside a well-formed SignedKey
    TestCerts t = new TestCerts(secp, RANDOM);
    t.publicKeyProtobuf = new byte[] {0x08, 0x02, 0x12, 0x21, 0x02, 0x03};
    assertRejected(t.build(), Reason.MALFORMED_EXTENSION);
  }

  @Test
  void badIdentitySignatureIsRejected() throws Exception {
    TestCerts t = new TestCerts(secp, RANDOM);
    t.signOtherKey = true;
    assertRejected(t.build(), Reason.BAD_SIGNATURE);
    TestCerts e = new TestCerts(ed, RANDOM);
    e.signOtherKey = true;
    assertRejected(e.build(), Reason.BAD_SIGNATURE);
    // the key of another identity, with this identity's signature
    TestCerts o = new TestCerts(secp, RANDOM);
    o.publicKeyProtobuf = Secp256k1PrivateKey.generate(RANDOM).publicKey().toProtobuf();
    assertRejected(o.build(), Reason.BAD_SIGNATURE);
  }

  @Test
  void badSelfSignatureIsRejected() throws Exception {
    TestCerts t = new TestCerts(secp, RANDOM);
    t.selfSignWithOtherKey = true;
    assertRejected(t.build(), Reason.BAD_CERTIFICATE_SIGNATURE);
  }

  @Test
  void expiredAndNotYetValidAreRejected() throws Exception {
    TestCerts t = new TestCerts(secp, RANDOM);
    t.notBefore = Instant.now().minus(Duration.ofDays(3));
    t.notAfter = Instant.now().minus(Duration.ofDays(1));
    assertRejected(t.build(), Reason.EXPIRED);
    TestCerts f = new TestCerts(secp, RANDOM);
    f.notBefore = Instant.now().plus(Duration.ofDays(1));
    f.notAfter = Instant.now().plus(Duration.ofDays(3));
    assertRejected(f.build(), Reason.NOT_YET_VALID);
  }

  @Test
  void chainsOfOtherThanOneCertificateAreRejected() throws Exception {
    byte[] a = new TestCerts(secp, RANDOM).build();
    byte[] b = new TestCerts(secp, RANDOM).build();
    assertRejected(new byte[][] {a, b}, Instant.now(), Reason.CHAIN_LENGTH);
    assertRejected(new byte[0][], Instant.now(), Reason.CHAIN_LENGTH);
    assertRejected((byte[][]) null, Instant.now(), Reason.CHAIN_LENGTH);
  }

  @Test
  void unsupportedIdentityKeyTypesAreRejected() throws Exception {
    // RSA (0) and ECDSA (3) identity keys: well-formed protobuf, unsupported type
    byte[] rsa = concat(new byte[] {0x08, 0x00, 0x12, 0x04}, new byte[] {1, 2, 3, 4});
    byte[] ecdsa = concat(new byte[] {0x08, 0x03, 0x12, 0x04}, new byte[] {1, 2, 3, 4});
    byte[] unknown = concat(new byte[] {0x08, 0x09, 0x12, 0x04}, new byte[] {1, 2, 3, 4});
    for (byte[] pk : new byte[][] {rsa, ecdsa, unknown}) {
      TestCerts t = new TestCerts(secp, RANDOM);
      t.publicKeyProtobuf = pk;
      assertRejected(t.build(), Reason.UNSUPPORTED_KEY_TYPE);
    }
  }

  @Test
  void garbageAndTruncatedCertificatesAreMalformed() throws Exception {
    byte[] good = new TestCerts(secp, RANDOM).build();
    assertRejected(new byte[0], Reason.MALFORMED_CERTIFICATE);
    assertRejected(new byte[] {0x30, (byte) 0x82, 0x7f}, Reason.MALFORMED_CERTIFICATE);
    assertRejected(java.util.Arrays.copyOf(good, good.length - 1), Reason.MALFORMED_CERTIFICATE);
    assertRejected(concat(good, new byte[] {0}), Reason.MALFORMED_CERTIFICATE);
    assertRejected(new byte[Libp2pTls.MAX_CERTIFICATE_BYTES + 1], Reason.MALFORMED_CERTIFICATE);
  }

  private static final byte[] VALID;
  private static final PeerId VALID_ID;

  static {
    try {
      PrivateKey k = Secp256k1PrivateKey.generate(new SecureRandom(new byte[] {7}));
      VALID = new TestCerts(k, new SecureRandom(new byte[] {8})).build();
      VALID_ID = PeerId.fromPublicKey(k.publicKey());
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Any byte string: rejected with a typed reason, never another exception. */
  @Property(tries = 2000)
  void garbageNeverEscapesAsAnotherException(@ForAll @Size(max = 600) byte[] junk) {
    try {
      Libp2pTls.verify(new byte[][] {junk}, Instant.now());
      throw new AssertionError("garbage verified");
    } catch (CertificateRejectedException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  /** A valid certificate with one byte changed either still proves the same PeerId or is rejected. */
  @Property(tries = 400)
  void mutatedCertificateIsRejectedOrUnchanged(
      @ForAll @IntRange(min = 0, max = 10_000) int pos, @ForAll byte xor) {
    byte[] m = VALID.clone();
    int i = pos % m.length;
    m[i] ^= (xor == 0 ? 1 : xor);
    try {
      assertThat(Libp2pTls.verify(new byte[][] {m}, Instant.now())).isEqualTo(VALID_ID);
    } catch (CertificateRejectedException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
