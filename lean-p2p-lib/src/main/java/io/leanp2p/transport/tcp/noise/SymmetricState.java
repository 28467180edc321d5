package io.leanp2p.transport.tcp.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The Noise SymmetricState (chaining key, handshake hash, current cipher) for SHA-256. */
final class SymmetricState {
  static final int HASHLEN = 32;

  private byte[] ck;
  private byte[] h;
  private CipherState cipher; // null until the first MixKey
  // looked up once per handshake, not per hash / HMAC (a JCA lookup costs more than the hash)
  private final MessageDigest digest;
  private final Mac mac;

  SymmetricState(String protocolName) {
    try {
      digest = MessageDigest.getInstance("SHA-256");
      mac = Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    h = name.length <= HASHLEN ? Arrays.copyOf(name, HASHLEN) : sha256(name);
    ck = h.clone();
  }

  byte[] handshakeHash() {
    return h.clone();
  }

  void mixHash(byte[] data) {
    h = sha256(h, data);
  }

  void mixKey(byte[] ikm) {
    byte[][] out = hkdf(ck, ikm);
    ck = out[0];
    cipher = new CipherState(out[1]);
  }

  byte[] encryptAndHash(byte[] plaintext) throws NoiseException {
    byte[] c = cipher == null ? plaintext.clone() : cipher.encrypt(h, plaintext);
    mixHash(c);
    return c;
  }

  byte[] decryptAndHash(byte[] ciphertext) throws NoiseException {
    byte[] p = cipher == null ? ciphertext.clone() : cipher.decrypt(h, ciphertext);
    mixHash(ciphertext);
    return p;
  }

  boolean hasKey() {
    return cipher != null;
  }

  /** Splits into the two transport CipherStates (initiator→responder first). */
  CipherState[] split() {
    byte[][] out = hkdf(ck, new byte[0]);
    return new CipherState[] {new CipherState(out[0]), new CipherState(out[1])};
  }

  private byte[] sha256(byte[]... parts) {
    for (byte[] p : parts) {
      digest.update(p);
    }
    return digest.digest(); // digest() also resets it
  }

  private byte[] hmac(byte[] key, byte[]... parts) {
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256")); // init resets it
      for (byte[] p : parts) {
        mac.update(p);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Noise HKDF with two outputs. */
  private byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
    byte[] temp = hmac(chainingKey, ikm);
    byte[] o1 = hmac(temp, new byte[] {1});
    byte[] o2 = hmac(temp, o1, new byte[] {2});
    return new byte[][] {o1, o2};
  }
}
