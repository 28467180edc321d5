package io.leanp2p.crypto;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.util.BigIntegers;

/**
 * A secp256k1 private key (the lean default identity key). Signs ECDSA over SHA-256 with
 * deterministic RFC 6979 nonces, normalised to low-S, DER-encoded.
 */
public final class Secp256k1PrivateKey implements PrivateKey {
  private final BigInteger d;
  private final Secp256k1PublicKey publicKey;

  private Secp256k1PrivateKey(BigInteger d) {
    this.d = d;
    this.publicKey = new Secp256k1PublicKey(Secp256k1.DOMAIN.getG().multiply(d));
  }

  /** A fresh random key from {@code random}. */
  public static Secp256k1PrivateKey generate(SecureRandom random) {
    byte[] b = new byte[32];
    while (true) {
      random.nextBytes(b);
      BigInteger d = new BigInteger(1, b);
      if (d.signum() > 0 && d.compareTo(Secp256k1.N) < 0) {
        return new Secp256k1PrivateKey(d);
      }
    }
  }

  /**
   * A key from its 32-byte big-endian scalar.
   *
   * @throws DecodeException if not 32 bytes or not in [1, n-1]
   */
  public static Secp256k1PrivateKey fromBytes(byte[] raw) throws DecodeException {
    if (raw.length != 32) {
      throw DecodeException.malformed("secp256k1 private key must be 32 bytes, got " + raw.length);
    }
    BigInteger d = new BigInteger(1, raw);
    if (d.signum() == 0 || d.compareTo(Secp256k1.N) >= 0) {
      throw DecodeException.malformed("secp256k1 private key out of range");
    }
    return new Secp256k1PrivateKey(d);
  }

  /**
   * A key from 64 hex digits (optional {@code 0x} prefix).
   *
   * @throws DecodeException for bad hex or a bad key
   */
  public static Secp256k1PrivateKey fromHex(String hex) throws DecodeException {
    return fromBytes(decodeHex(hex));
  }

  static byte[] decodeHex(String hex) throws DecodeException {
    if (hex.length() > 66) {
      throw DecodeException.tooLarge("private key hex length", hex.length(), 66);
    }
    try {
      return Hex.decode(hex.strip());
    } catch (IllegalArgumentException e) {
      throw new DecodeException(DecodeException.Reason.MALFORMED, "bad private key hex: " + e.getMessage(), e);
    }
  }

  @Override
  public KeyType type() {
    return KeyType.SECP256K1;
  }

  @Override
  public Secp256k1PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] sign(byte[] data) {
    BigInteger[] rs = signHash(Secp256k1PublicKey.sha256(data));
    try {
      return StandardDSAEncoding.INSTANCE.encode(Secp256k1.N, rs[0], rs[1]);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("DER encoding failed", e);
    }
  }

  /**
   * Signs an already computed 32-byte hash; returns (r, s) with low S. Used for ENR records
   * (keccak256 content hash, 64-byte r||s).
   */
  public BigInteger[] signHash(byte[] hash) {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, new ECPrivateKeyParameters(d, Secp256k1.DOMAIN));
    BigInteger[] rs = signer.generateSignature(hash);
    if (rs[1].compareTo(Secp256k1.HALF_N) > 0) {
      rs[1] = Secp256k1.N.subtract(rs[1]);
    }
    return rs;
  }

  @Override
  public byte[] raw() {
    return BigIntegers.asUnsignedByteArray(32, d);
  }

  @Override
  public String toString() {
    return "Secp256k1PrivateKey[public=" + publicKey + "]";
  }
}
