package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.transport.quic.CertificateRejectedException;
import io.leanp2p.transport.quic.Libp2pTls;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The libp2p TLS certificate a QUIC peer presents (attacker-chosen DER, at most 16 KiB) and the
 * libp2p extension inside it. The extension sits behind the certificate's self-signature, which
 * mutation of raw DER almost never preserves, so {@link #extension} signs a fresh certificate
 * around each input.
 */
class TlsFuzzTest {
  /** Inside the validity of the seed certificates (leanSpec's sample: 2026-11-23 to 2027-11-24). */
  static final Instant NOW = Instant.parse("2027-06-01T00:00:00Z");

  private static final KeyPair TLS_KEY = tlsKey();
  private static final ContentSigner SIGNER = signer();

  @FuzzTest
  void certificate(byte[] der) {
    try {
      PeerId id = Libp2pTls.verify(new byte[][] {der}, NOW);
      assertThat(id).isNotNull();
    } catch (CertificateRejectedException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  /** The extension value (SignedKey DER) in an otherwise valid, correctly self-signed certificate. */
  @FuzzTest
  void extension(byte[] signedKey) {
    byte[] der = certificateWith(signedKey);
    try {
      PeerId id = Libp2pTls.verify(new byte[][] {der}, NOW);
      assertThat(id).isNotNull();
    } catch (CertificateRejectedException e) {
      assertThat(e.reason()).isNotEqualTo(CertificateRejectedException.Reason.BAD_CERTIFICATE_SIGNATURE);
    }
  }

  static byte[] certificateWith(byte[] extensionValue) {
    try {
      X500Name name = new X500Name("SERIALNUMBER=1");
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
          Date.from(Instant.parse("2027-01-01T00:00:00Z")), Date.from(Instant.parse("2028-01-01T00:00:00Z")),
          name, TLS_KEY.getPublic());
      b.addExtension(new ASN1ObjectIdentifier(Libp2pTls.EXTENSION_OID), true, extensionValue);
      return b.build(SIGNER).getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair tlsKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), Keys.random(5));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ContentSigner signer() {
    try {
      return new JcaContentSignerBuilder("SHA256withECDSA").build(TLS_KEY.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
