package io.leanp2p.crypto;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** An Ed25519 public key (32 bytes); verification is RFC 8032 Ed25519 (BouncyCastle). */
public final class Ed25519PublicKey implements PublicKey {
  private final byte[] raw;
  private final Ed25519PublicKeyParameters params;

  private Ed25519PublicKey(byte[] raw, Ed25519PublicKeyParameters params) {
    this.raw = raw;
    this.params = params;
  }

  /**
   * Decodes a 32-byte Ed25519 public key.
   *
   * @throws DecodeException for a wrong length or an invalid point
   */
  public static Ed25519PublicKey fromBytes(byte[] raw) throws DecodeException {
    if (raw.length != 32) {
      throw DecodeException.malformed("ed25519 public key must be 32 bytes, got " + raw.length);
    }
    try {
      return new Ed25519PublicKey(raw.clone(), new Ed25519PublicKeyParameters(raw, 0));
    } catch (IllegalArgumentException e) {
      throw new DecodeException(DecodeException.Reason.MALFORMED, "invalid ed25519 public key", e);
    }
  }

  static Ed25519PublicKey of(Ed25519PublicKeyParameters params) {
    return new Ed25519PublicKey(params.getEncoded(), params);
  }

  @Override
  public KeyType type() {
    return KeyType.ED25519;
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    if (signature.length != 64) {
      return false;
    }
    try {
      Ed25519Signer v = new Ed25519Signer();
      v.init(false, params);
      v.update(data, 0, data.length);
      return v.verifySignature(signature);
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ed25519PublicKey k && Arrays.equals(k.raw, raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "Ed25519PublicKey[" + Hex.encode(raw) + "]";
  }
}
