package io.leanp2p.crypto;

import io.leanp2p.util.DecodeException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A secp256k1 public key (33-byte compressed SEC1 point).
 *
 * <p>Verification: ECDSA over SHA-256(data), signature strictly DER-encoded (the encoding must be
 * the unique canonical DER of (r, s)). <b>High-S signatures are accepted</b>: leanSpec signs with
 * OpenSSL via Python {@code cryptography}, which does not normalise S, and go-libp2p and
 * rust-libp2p accept both halves too; rejecting high-S would reject about half of their
 * signatures. Our own signatures are always low-S.
 */
public final class Secp256k1PublicKey implements PublicKey {
  /** Longest DER signature considered (SEQUENCE of two 33-byte INTEGERs). */
  private static final int MAX_DER_SIGNATURE = 72;

  private final ECPoint point;
  private final byte[] compressed;

  Secp256k1PublicKey(ECPoint point) {
    this.point = point.normalize();
    this.compressed = this.point.getEncoded(true);
  }

  /**
   * Decodes a 33-byte compressed point ({@code 02|03 || X}).
   *
   * @throws DecodeException if the length, prefix or point is invalid
   */
  public static Secp256k1PublicKey fromBytes(byte[] raw) throws DecodeException {
    if (raw.length != 33 || (raw[0] != 0x02 && raw[0] != 0x03)) {
      throw DecodeException.malformed(
          "secp256k1 public key must be 33 bytes starting 02|03, got " + raw.length + " bytes");
    }
    return fromSec1(raw);
  }

  /**
   * Decodes a compressed (33-byte) or uncompressed (65-byte, {@code 04 || X || Y}) SEC1 point.
   *
   * @throws DecodeException if it is not a valid point on the curve
   */
  public static Secp256k1PublicKey fromSec1(byte[] sec1) throws DecodeException {
    boolean compressed = sec1.length == 33 && (sec1[0] == 0x02 || sec1[0] == 0x03);
    boolean uncompressed = sec1.length == 65 && sec1[0] == 0x04;
    if (!compressed && !uncompressed) {
      throw DecodeException.malformed("secp256k1 point of " + sec1.length + " bytes is not SEC1 02|03 or 04");
    }
    try {
      ECPoint p = Secp256k1.DOMAIN.getCurve().decodePoint(sec1);
      if (p.isInfinity() || !p.isValid()) {
        throw DecodeException.malformed("secp256k1 point not on the curve");
      }
      return new Secp256k1PublicKey(p);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new DecodeException(
          DecodeException.Reason.MALFORMED, "invalid secp256k1 point: " + e.getMessage(), e);
    }
  }

  @Override
  public KeyType type() {
    return KeyType.SECP256K1;
  }

  @Override
  public byte[] raw() {
    return compressed.clone();
  }

  /** The 65-byte uncompressed point {@code 04 || X || Y}. */
  public byte[] uncompressed() {
    return point.getEncoded(false);
  }

  @Override
  public boolean verify(byte[] data, byte[] signature) {
    if (signature.length > MAX_DER_SIGNATURE) {
      return false;
    }
    BigInteger[] rs;
    try {
      rs = StandardDSAEncoding.INSTANCE.decode(Secp256k1.N, signature);
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return verifyHash(sha256(data), rs[0], rs[1]);
  }

  /**
   * Verifies an ECDSA signature (r, s) over an already computed 32-byte message hash (e.g. the
   * keccak256 ENR content hash). High-S is accepted; r and s must be in [1, n-1].
   */
  public boolean verifyHash(byte[] hash, BigInteger r, BigInteger s) {
    if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(Secp256k1.N) >= 0 || s.compareTo(Secp256k1.N) >= 0) {
      return false;
    }
    ECDSASigner signer = new ECDSASigner();
    signer.init(false, new ECPublicKeyParameters(point, Secp256k1.DOMAIN));
    return signer.verifySignature(hash, r, s);
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  ECPoint point() {
    return point;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secp256k1PublicKey k && Arrays.equals(k.compressed, compressed);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(compressed);
  }

  @Override
  public String toString() {
    return "Secp256k1PublicKey[" + io.leanp2p.util.Hex.encode(compressed) + "]";
  }
}
