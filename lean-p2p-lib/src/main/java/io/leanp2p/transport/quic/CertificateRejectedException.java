package io.leanp2p.transport.quic;

/**
 * A peer's libp2p TLS certificate was rejected. Carries a typed {@link Reason}, which the QUIC
 * transport counts (see {@link QuicTransportStats#certRejections()}).
 */
public final class CertificateRejectedException extends Exception {

  /** Why a certificate chain was rejected; stable names, used as metric labels. */
  public enum Reason {
    /** The chain did not hold exactly one certificate. */
    CHAIN_LENGTH,
    /** The certificate is not parseable DER X.509. */
    MALFORMED_CERTIFICATE,
    /** The current time is after notAfter. */
    EXPIRED,
    /** The current time is before notBefore. */
    NOT_YET_VALID,
    /** The certificate's self-signature does not verify with its own public key. */
    BAD_CERTIFICATE_SIGNATURE,
    /** The libp2p public key extension (1.3.6.1.4.1.53594.1.1) is absent. */
    MISSING_EXTENSION,
    /** The extension (SignedKey or its protobuf PublicKey) is malformed. */
    MALFORMED_EXTENSION,
    /** The identity key type in the extension is not one we support. */
    UNSUPPORTED_KEY_TYPE,
    /** The identity key's signature over the certificate's SPKI does not verify. */
    BAD_SIGNATURE,
    /** The certificate is valid but proves a PeerId other than the one dialed. */
    PEER_ID_MISMATCH
  }

  private final Reason reason;

  public CertificateRejectedException(Reason reason, String detail) {
    super(reason + ": " + detail);
    this.reason = reason;
  }

  public CertificateRejectedException(Reason reason, String detail, Throwable cause) {
    super(reason + ": " + detail, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
