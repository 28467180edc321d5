package io.leanp2p.transport.tcp.noise;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise CipherState for ChaChaPoly: a 32-byte key and a 64-bit nonce (little-endian in the
 * last 8 bytes of the 12-byte ChaCha20-Poly1305 nonce). The nonce 2^64-1 is reserved; reaching it
 * fails every further operation, so a nonce is never reused. Not thread-safe.
 */
public final class CipherState {
  /** Poly1305 tag length. */
  public static final int TAG = 16;

  private static final long MAX_NONCE = -1L; // 2^64 - 1 as unsigned

  private final SecretKeySpec key;
  private final Cipher cipher;
  private final byte[] iv = new byte[12];
  private long nonce;

  CipherState(byte[] key) {
    this.key = new SecretKeySpec(key, "ChaCha20");
    try {
      this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 unavailable", e);
    }
  }

  /** For tests: the next nonce. */
  long nonce() {
    return nonce;
  }

  /** For tests: jump the nonce (e.g. to just below the reserved value). */
  void setNonce(long n) {
    this.nonce = n;
  }

  private void init(int mode) throws NoiseException {
    if (nonce == MAX_NONCE) {
      throw new NoiseException("nonce exhausted: the session must be rekeyed or closed");
    }
    long n = nonce;
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (n >>> (8 * i));
    }
    try {
      cipher.init(mode, key, new IvParameterSpec(iv));
    } catch (GeneralSecurityException e) {
      throw new NoiseException("cipher init failed", e);
    }
  }

  /** Encrypts {@code plaintext} with associated data into a new array (handshake messages). */
  byte[] encrypt(byte[] ad, byte[] plaintext) throws NoiseException {
    init(Cipher.ENCRYPT_MODE);
    try {
      if (ad.length > 0) {
        cipher.updateAAD(ad);
      }
      byte[] out = cipher.doFinal(plaintext);
      nonce++;
      return out;
    } catch (GeneralSecurityException e) {
      throw new NoiseException("encryption failed", e);
    }
  }

  /** Decrypts and authenticates; a bad tag fails and leaves the nonce unchanged. */
  byte[] decrypt(byte[] ad, byte[] ciphertext) throws NoiseException {
    if (ciphertext.length < TAG) {
      throw new NoiseException("ciphertext shorter than the tag");
    }
    init(Cipher.DECRYPT_MODE);
    try {
      if (ad.length > 0) {
        cipher.updateAAD(ad);
      }
      byte[] out = cipher.doFinal(ciphertext);
      nonce++;
      return out;
    } catch (AEADBadTagException e) {
      throw new NoiseException("authentication failed (bad tag)", e);
    } catch (GeneralSecurityException e) {
      throw new NoiseException("decryption failed", e);
    }
  }

  /**
   * Encrypts {@code len} bytes of {@code in} at {@code index} (not consumed; may span several
   * components) and appends ciphertext plus tag to {@code out}. Works on heap arrays: the JDK's
   * ChaCha20-Poly1305 is several times faster on arrays than on direct ByteBuffers, so direct
   * input is copied once into a scratch array (and a direct {@code out} is filled from one).
   */
  public void encrypt(ByteBuf in, int index, int len, ByteBuf out) throws NoiseException {
    if (in.hasArray()) {
      encrypt(in.array(), in.arrayOffset() + index, len, out);
    } else {
      byte[] src = scratchIn(len);
      in.getBytes(index, src, 0, len);
      encrypt(src, 0, len, out);
    }
  }

  /** Encrypts {@code len} bytes of {@code src} at {@code off} and appends ciphertext plus tag to {@code out}. */
  public void encrypt(byte[] src, int off, int len, ByteBuf out) throws NoiseException {
    init(Cipher.ENCRYPT_MODE);
    try {
      out.ensureWritable(len + TAG);
      int n;
      if (out.hasArray()) {
        n = cipher.doFinal(src, off, len, out.array(), out.arrayOffset() + out.writerIndex());
        out.writerIndex(out.writerIndex() + n);
      } else {
        byte[] dst = scratchOut(len + TAG);
        n = cipher.doFinal(src, off, len, dst, 0);
        out.writeBytes(dst, 0, n);
      }
      nonce++;
    } catch (GeneralSecurityException e) {
      throw new NoiseException("encryption failed", e);
    }
  }

  /** Decrypts {@code len} bytes of {@code src} at {@code off} and appends plaintext to {@code out}. */
  public void decrypt(byte[] src, int off, int len, ByteBuf out) throws NoiseException {
    if (len < TAG) {
      throw new NoiseException("frame shorter than the tag");
    }
    init(Cipher.DECRYPT_MODE);
    try {
      out.ensureWritable(len - TAG);
      int n;
      if (out.hasArray()) {
        n = cipher.doFinal(src, off, len, out.array(), out.arrayOffset() + out.writerIndex());
        out.writerIndex(out.writerIndex() + n);
      } else {
        byte[] dst = scratchOut(len);
        n = cipher.doFinal(src, off, len, dst, 0);
        out.writeBytes(dst, 0, n);
      }
      nonce++;
    } catch (AEADBadTagException e) {
      throw new NoiseException("authentication failed (bad tag)", e);
    } catch (GeneralSecurityException e) {
      throw new NoiseException("decryption failed", e);
    }
  }

  /** Decrypts {@code len} bytes of {@code in} at {@code index} and appends plaintext to {@code out}. */
  public void decrypt(ByteBuf in, int index, int len, ByteBuf out) throws NoiseException {
    if (in.hasArray()) {
      decrypt(in.array(), in.arrayOffset() + index, len, out);
    } else {
      if (len < TAG) {
        throw new NoiseException("frame shorter than the tag");
      }
      byte[] src = scratchIn(len);
      in.getBytes(index, src, 0, len);
      decrypt(src, 0, len, out);
    }
  }

  private byte[] scratchIn;
  private byte[] scratchOut;

  private byte[] scratchIn(int n) {
    if (scratchIn == null || scratchIn.length < n) {
      scratchIn = new byte[Math.max(n, 65535)];
    }
    return scratchIn;
  }

  private byte[] scratchOut(int n) {
    if (scratchOut == null || scratchOut.length < n) {
      scratchOut = new byte[Math.max(n, 65535)];
    }
    return scratchOut;
  }
}
