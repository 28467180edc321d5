package io.leanp2p.transport.tcp.noise;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/** X25519 (RFC 7748) on the JDK's XDH provider, with raw 32-byte little-endian encodings. */
public final class X25519 {
  /** Key and shared-secret length. */
  public static final int LEN = 32;

  private X25519() {}

  /** A key pair with its raw public key. */
  public record KeyPairRaw(java.security.PrivateKey privateKey, byte[] publicKey) {}

  public static KeyPairRaw generate(SecureRandom random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
      g.initialize(NamedParameterSpec.X25519, random);
      KeyPair kp = g.generateKeyPair();
      return new KeyPairRaw(kp.getPrivate(), encodeU(((XECPublicKey) kp.getPublic()).getU()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 unavailable", e);
    }
  }

  /** A key pair from a 32-byte private scalar (clamped by X25519 itself). */
  public static KeyPairRaw fromPrivate(byte[] scalar) {
    try {
      KeyFactory f = KeyFactory.getInstance("X25519");
      var priv =
          (XECPrivateKey) f.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
      // public = X25519(scalar, 9)
      byte[] base = new byte[LEN];
      base[0] = 9;
      return new KeyPairRaw(priv, dh(priv, base));
    } catch (GeneralSecurityException | NoiseException e) {
      throw new IllegalArgumentException("bad X25519 private key", e);
    }
  }

  /** The shared secret; fails on an all-zero result (a low-order remote point). */
  public static byte[] dh(java.security.PrivateKey priv, byte[] remotePublic) throws NoiseException {
    if (remotePublic.length != LEN) {
      throw new NoiseException("X25519 public key must be 32 bytes, got " + remotePublic.length);
    }
    try {
      KeyFactory f = KeyFactory.getInstance("X25519");
      var pub = f.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(remotePublic)));
      KeyAgreement ka = KeyAgreement.getInstance("X25519");
      ka.init(priv);
      ka.doPhase(pub, true);
      return ka.generateSecret();
    } catch (GeneralSecurityException e) {
      // the JDK rejects a result of all zeros (small-order point) with InvalidKeyException
      throw new NoiseException("X25519 key agreement failed: " + e.getMessage(), e);
    }
  }

  static byte[] encodeU(BigInteger u) {
    byte[] be = u.toByteArray();
    byte[] out = new byte[LEN];
    for (int i = 0; i < LEN && i < be.length; i++) {
      out[i] = be[be.length - 1 - i];
    }
    return out;
  }

  static BigInteger decodeU(byte[] le) {
    byte[] be = new byte[LEN];
    for (int i = 0; i < LEN; i++) {
      be[i] = le[LEN - 1 - i];
    }
    be[0] &= 0x7f; // RFC 7748: mask the top bit
    return new BigInteger(1, be);
  }
}
