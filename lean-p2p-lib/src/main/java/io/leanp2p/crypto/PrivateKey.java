package io.leanp2p.crypto;

/** A libp2p identity private key. Not serialisable by accident: {@link #raw()} returns a copy. */
public interface PrivateKey {
  KeyType type();

  PublicKey publicKey();

  /**
   * Signs {@code data}: secp256k1 → DER ECDSA-SHA256 (RFC 6979, low-S); ed25519 → 64-byte Ed25519.
   */
  byte[] sign(byte[] data);

  /** The 32-byte secret: secp256k1 scalar (big-endian) or ed25519 seed. A copy. */
  byte[] raw();
}
