package io.leanp2p.transport.quic;

import io.leanp2p.crypto.PrivateKey;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds libp2p TLS certificates with chosen defects for tests (empty subject/issuer DN, like
 * rust-libp2p's). Each setter spoils one thing; the default is a valid certificate.
 */
final class TestCerts {
  private final PrivateKey identity;
  private final SecureRandom random;
  boolean withExtension = true;
  boolean critical = true;
  byte[] extensionValue; // overrides the SignedKey DER
  byte[] publicKeyProtobuf; // overrides the identity key inside SignedKey
  boolean signOtherKey; // identity signs some other SPKI
  boolean selfSignWithOtherKey; // certificate signed by a key other than its own
  Instant notBefore = Instant.now().minus(Duration.ofHours(1));
  Instant notAfter = Instant.now().plus(Duration.ofDays(1));
  /** Subject and issuer; empty like rust-libp2p's unless set (the JDK cannot parse empty DNs). */
  X500Name name = new X500Name(new org.bouncycastle.asn1.x500.RDN[0]);
  /** The TLS key pair of the last certificate built. */
  KeyPair lastKey;

  TestCerts(PrivateKey identity, SecureRandom random) {
    this.identity = identity;
    this.random = random;
  }

  static byte[] signedKey(byte[] publicKeyPb, byte[] signature) throws Exception {
    return new DERSequence(
            new ASN1Encodable[] {new DEROctetString(publicKeyPb), new DEROctetString(signature)})
        .getEncoded(ASN1Encoding.DER);
  }

  byte[] build() throws Exception {
    KeyPair tls = p256();
    lastKey = tls;
    byte[] spki = tls.getPublic().getEncoded();
    byte[] signedSpki = signOtherKey ? p256().getPublic().getEncoded() : spki;
    byte[] msg = new byte[Libp2pTls.SIGNATURE_PREFIX.length + signedSpki.length];
    System.arraycopy(Libp2pTls.SIGNATURE_PREFIX, 0, msg, 0, Libp2pTls.SIGNATURE_PREFIX.length);
    System.arraycopy(signedSpki, 0, msg, Libp2pTls.SIGNATURE_PREFIX.length, signedSpki.length);
    byte[] pk = publicKeyProtobuf != null ? publicKeyProtobuf : identity.publicKey().toProtobuf();
    byte[] value = extensionValue != null ? extensionValue : signedKey(pk, identity.sign(msg));
    X500Name empty = name;
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            empty,
            new BigInteger(64, random),
            Date.from(notBefore),
            Date.from(notAfter),
            empty,
            tls.getPublic());
    if (withExtension) {
      b.addExtension(new ASN1ObjectIdentifier(Libp2pTls.EXTENSION_OID), critical, value);
    }
    KeyPair signer = selfSignWithOtherKey ? p256() : tls;
    return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()))
        .getEncoded();
  }

  /** Builds with a JDK-parseable DN and returns it as a JDK certificate (for Netty key managers). */
  java.security.cert.X509Certificate buildJdk() throws Exception {
    name = new X500Name("CN=test");
    byte[] der = build();
    return (java.security.cert.X509Certificate)
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(new java.io.ByteArrayInputStream(der));
  }

  private KeyPair p256() throws Exception {
    KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
    kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
    return kpg.generateKeyPair();
  }
}
