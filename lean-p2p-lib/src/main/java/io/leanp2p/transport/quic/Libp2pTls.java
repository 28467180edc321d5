package io.leanp2p.transport.quic;

import io.leanp2p.crypto.KeyType;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PublicKey;
import io.leanp2p.transport.quic.CertificateRejectedException.Reason;
import io.leanp2p.util.DecodeException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * libp2p TLS 1.3 certificates (libp2p specs, {@code tls/tls.md}): generation and verification.
 *
 * <p>A certificate is self-signed on a fresh P-256 key and carries the extension {@value
 * #EXTENSION_OID} whose value is the DER of {@code SignedKey ::= SEQUENCE { publicKey OCTET
 * STRING, signature OCTET STRING }}: the identity key as libp2p protobuf, and the identity key's
 * signature over {@code "libp2p-tls-handshake:" || DER(SubjectPublicKeyInfo)}.
 *
 * <p>Peer certificates are parsed with BouncyCastle from their DER only: the JDK cannot parse the
 * empty-DN certificates rust-libp2p emits. Stateless and thread-safe.
 */
public final class Libp2pTls {
  /** The libp2p public key extension OID. */
  public static final String EXTENSION_OID = "1.3.6.1.4.1.53594.1.1";

  /** The prefix of the message the identity key signs. */
  public static final byte[] SIGNATURE_PREFIX =
      "libp2p-tls-handshake:".getBytes(StandardCharsets.US_ASCII);

  /** Largest certificate we parse (rust/go certificates are well under 1 KiB). */
  public static final int MAX_CERTIFICATE_BYTES = 16 * 1024;

  private static final ASN1ObjectIdentifier OID = new ASN1ObjectIdentifier(EXTENSION_OID);
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final Duration VALIDITY = Duration.ofDays(365);

  private Libp2pTls() {}

  /**
   * Generates a certificate on a fresh P-256 key, signed into the libp2p extension by {@code
   * identity}. Valid from {@code now - 1h} to {@code now + 365d}; the extension is critical (as
   * rust-libp2p and go-libp2p do).
   */
  public static CertAndKey generate(
      io.leanp2p.crypto.PrivateKey identity, SecureRandom random, Instant now) {
    try {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
      kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair tls = kpg.generateKeyPair();
      byte[] spki = tls.getPublic().getEncoded(); // X.509 SubjectPublicKeyInfo DER
      byte[] signature = identity.sign(concat(SIGNATURE_PREFIX, spki));
      byte[] signedKey =
          new DERSequence(
                  new ASN1Encodable[] {
                    new DEROctetString(identity.publicKey().toProtobuf()),
                    new DEROctetString(signature)
                  })
              .getEncoded(ASN1Encoding.DER);

      byte[] serialBytes = new byte[16];
      random.nextBytes(serialBytes);
      BigInteger serial = new BigInteger(1, serialBytes).setBit(120);
      // A non-empty DN: the JDK (which Netty's key manager hands our own certificate through)
      // refuses certificates with an empty issuer.
      X500Name name = new X500Name("SERIALNUMBER=" + serial.toString(16));
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              serial,
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(VALIDITY)),
              name,
              tls.getPublic());
      builder.addExtension(OID, true, signedKey);
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(tls.getPrivate());
      X509CertificateHolder holder = builder.build(signer);
      byte[] der = holder.getEncoded();
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
      return new CertAndKey(der, cert, tls.getPrivate());
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate a libp2p TLS certificate", e);
    }
  }

  /**
   * Verifies a peer's certificate chain (exactly one certificate, DER) and returns the PeerId it
   * proves. The extension is accepted critical or not.
   *
   * @throws CertificateRejectedException with a typed reason on any defect
   */
  public static PeerId verify(byte[][] chainDer, Instant now) throws CertificateRejectedException {
    try {
      return verifyUnchecked(chainDer, now);
    } catch (RuntimeException e) {
      // Any structural surprise deep inside the parser is a malformed certificate, never a crash.
      throw new CertificateRejectedException(Reason.MALFORMED_CERTIFICATE, e.toString(), e);
    }
  }

  private static PeerId verifyUnchecked(byte[][] chainDer, Instant now)
      throws CertificateRejectedException {
    if (chainDer == null || chainDer.length != 1) {
      throw new CertificateRejectedException(
          Reason.CHAIN_LENGTH,
          "expected exactly one certificate, got " + (chainDer == null ? 0 : chainDer.length));
    }
    X509CertificateHolder cert = parse(chainDer[0]);

    Date at = Date.from(now);
    if (at.after(cert.getNotAfter())) {
      throw new CertificateRejectedException(
          Reason.EXPIRED, "notAfter " + cert.getNotAfter().toInstant() + " < " + now);
    }
    if (at.before(cert.getNotBefore())) {
      throw new CertificateRejectedException(
          Reason.NOT_YET_VALID, "notBefore " + cert.getNotBefore().toInstant() + " > " + now);
    }

    SubjectPublicKeyInfo spkiInfo = cert.getSubjectPublicKeyInfo();
    if (!selfSignatureValid(cert, spkiInfo)) {
      throw new CertificateRejectedException(
          Reason.BAD_CERTIFICATE_SIGNATURE, "self-signature does not verify");
    }

    Extension ext = cert.getExtension(OID);
    if (ext == null) {
      throw new CertificateRejectedException(
          Reason.MISSING_EXTENSION, "no " + EXTENSION_OID + " extension");
    }
    byte[] spki;
    try {
      spki = spkiInfo.getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new CertificateRejectedException(Reason.MALFORMED_CERTIFICATE, "SPKI: " + e, e);
    }
    return verifySignedKey(ext.getExtnValue().getOctets(), spki);
  }

  /**
   * The libp2p extension's value (a peer's bytes, inside a certificate whose self-signature was
   * checked): the {@code SignedKey} DER, the identity key protobuf, and the identity's signature
   * over {@code spki}, the certificate's SubjectPublicKeyInfo DER.
   */
  static PeerId verifySignedKey(byte[] extensionValue, byte[] spki) throws CertificateRejectedException {
    byte[][] signedKey = parseSignedKey(extensionValue);
    PublicKey identity;
    try {
      identity = PublicKey.fromProtobuf(signedKey[0]);
    } catch (DecodeException e) {
      Reason r =
          e.reason() == DecodeException.Reason.UNSUPPORTED
              ? Reason.UNSUPPORTED_KEY_TYPE
              : Reason.MALFORMED_EXTENSION;
      throw new CertificateRejectedException(r, "identity key: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CertificateRejectedException(
          Reason.MALFORMED_EXTENSION, "identity key: " + e, e);
    }
    if (identity.type() != KeyType.SECP256K1 && identity.type() != KeyType.ED25519) {
      throw new CertificateRejectedException(
          Reason.UNSUPPORTED_KEY_TYPE, "identity key type " + identity.type());
    }
    boolean ok;
    try {
      ok = identity.verify(concat(SIGNATURE_PREFIX, spki), signedKey[1]);
    } catch (RuntimeException e) {
      ok = false;
    }
    if (!ok) {
      throw new CertificateRejectedException(
          Reason.BAD_SIGNATURE, "identity signature over the certificate key does not verify");
    }
    return PeerId.fromPublicKey(identity);
  }

  private static final ASN1ObjectIdentifier ECDSA_WITH_SHA256 =
      new ASN1ObjectIdentifier("1.2.840.10045.4.3.2");

  private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
  private static final ECDomainParameters P256_DOMAIN =
      new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH());

  /**
   * Checks the certificate's signature with its own key. The common case (ecdsa-with-SHA256 on a
   * P-256 key: what rust-libp2p, go-libp2p, leanSpec and we emit) is verified with BouncyCastle's
   * special-purpose P-256 arithmetic on the raw point and DER signature: about half the CPU of the
   * JDK's {@code Signature} (measured 2026-12, JDK 25: ~200 vs ~460 µs), and one of the two
   * expensive steps of every handshake. Other algorithms use BouncyCastle's generic verifier.
   */
  private static boolean selfSignatureValid(X509CertificateHolder cert, SubjectPublicKeyInfo spki)
      throws CertificateRejectedException {
    try {
      if (ECDSA_WITH_SHA256.equals(cert.getSignatureAlgorithm().getAlgorithm())
          && X9ObjectIdentifiers.id_ecPublicKey.equals(spki.getAlgorithm().getAlgorithm())
          && SECObjectIdentifiers.secp256r1.equals(spki.getAlgorithm().getParameters())) {
        // decodePoint rejects points off the curve; decode rejects non-canonical DER and r, s >= n
        ECPoint q = P256.getCurve().decodePoint(spki.getPublicKeyData().getOctets());
        BigInteger[] rs = StandardDSAEncoding.INSTANCE.decode(P256.getN(), cert.getSignature());
        byte[] digest =
            MessageDigest.getInstance("SHA-256")
                .digest(cert.toASN1Structure().getTBSCertificate().getEncoded(ASN1Encoding.DER));
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, new ECPublicKeyParameters(q, P256_DOMAIN));
        return verifier.verifySignature(digest, rs[0], rs[1]);
      }
      ContentVerifierProvider vp = new JcaContentVerifierProviderBuilder().build(spki);
      return cert.isSignatureValid(vp);
    } catch (Exception e) {
      throw new CertificateRejectedException(
          Reason.BAD_CERTIFICATE_SIGNATURE, "cannot check self-signature: " + e.getMessage(), e);
    }
  }

  private static X509CertificateHolder parse(byte[] der) throws CertificateRejectedException {
    if (der == null || der.length == 0) {
      throw new CertificateRejectedException(Reason.MALFORMED_CERTIFICATE, "empty certificate");
    }
    if (der.length > MAX_CERTIFICATE_BYTES) {
      throw new CertificateRejectedException(
          Reason.MALFORMED_CERTIFICATE, "certificate of " + der.length + " bytes");
    }
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(der);
      if (!java.util.Arrays.equals(p.getEncoded(ASN1Encoding.DER), der)) {
        throw new CertificateRejectedException(
            Reason.MALFORMED_CERTIFICATE, "not DER or trailing bytes");
      }
      X509CertificateHolder h = new X509CertificateHolder(Certificate.getInstance(p));
      // Touch every field we rely on so that a malformed one fails here, typed.
      h.getNotBefore();
      h.getNotAfter();
      h.getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER);
      h.getExtensions();
      return h;
    } catch (CertificateRejectedException e) {
      throw e;
    } catch (Exception e) {
      throw new CertificateRejectedException(Reason.MALFORMED_CERTIFICATE, e.toString(), e);
    }
  }

  /** Decodes exactly {@code SEQUENCE { OCTET STRING, OCTET STRING }}, DER, nothing trailing. */
  private static byte[][] parseSignedKey(byte[] value) throws CertificateRejectedException {
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(value);
      if (!java.util.Arrays.equals(p.getEncoded(ASN1Encoding.DER), value)) {
        throw new CertificateRejectedException(
            Reason.MALFORMED_EXTENSION, "SignedKey is not DER or has trailing bytes");
      }
      if (!(p instanceof ASN1Sequence seq) || seq.size() != 2) {
        throw new CertificateRejectedException(
            Reason.MALFORMED_EXTENSION, "SignedKey is not a SEQUENCE of two elements");
      }
      if (!(seq.getObjectAt(0) instanceof ASN1OctetString pk)
          || !(seq.getObjectAt(1) instanceof ASN1OctetString sig)) {
        throw new CertificateRejectedException(
            Reason.MALFORMED_EXTENSION, "SignedKey elements are not OCTET STRINGs");
      }
      return new byte[][] {pk.getOctets(), sig.getOctets()};
    } catch (CertificateRejectedException e) {
      throw e;
    } catch (Exception e) {
      throw new CertificateRejectedException(Reason.MALFORMED_EXTENSION, e.toString(), e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
