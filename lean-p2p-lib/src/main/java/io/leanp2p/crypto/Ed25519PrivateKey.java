package io.leanp2p.crypto;

import io.leanp2p.util.DecodeException;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 private key, held as its 32-byte seed (RFC 8032). */
public final class Ed25519PrivateKey implements PrivateKey {
  private final Ed25519PrivateKeyParameters params;
  private final Ed25519PublicKey publicKey;

  private Ed25519PrivateKey(Ed25519PrivateKeyParameters params) {
    this.params = params;
    this.publicKey = Ed25519PublicKey.of(params.generatePublicKey());
  }

  /** A fresh random key from {@code random}. */
  public static Ed25519PrivateKey generate(SecureRandom random) {
    return new Ed25519PrivateKey(new Ed25519PrivateKeyParameters(random));
  }

  /**
   * A key from its 32-byte seed.
   *
   * @throws DecodeException if not 32 bytes
   */
  public static Ed25519PrivateKey fromBytes(byte[] seed) throws DecodeException {
    if (seed.length != 32) {
      throw DecodeException.malformed("ed25519 seed must be 32 bytes, got " + seed.length);
    }
    return new Ed25519PrivateKey(new Ed25519PrivateKeyParameters(seed, 0));
  }

  /**
   * A key from 64 hex digits (optional {@code 0x} prefix).
   *
   * @throws DecodeException for bad hex or length
   */
  public static Ed25519PrivateKey fromHex(String hex) throws DecodeException {
    return fromBytes(Secp256k1PrivateKey.decodeHex(hex));
  }

  @Override
  public KeyType type() {
    return KeyType.ED25519;
  }

  @Override
  public Ed25519PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] sign(byte[] data) {
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, params);
    s.update(data, 0, data.length);
    return s.generateSignature();
  }

  @Override
  public byte[] raw() {
    return params.getEncoded();
  }

  @Override
  public String toString() {
    return "Ed25519PrivateKey[public=" + publicKey + "]";
  }
}
