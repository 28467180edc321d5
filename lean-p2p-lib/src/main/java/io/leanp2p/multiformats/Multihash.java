package io.leanp2p.multiformats;

import io.leanp2p.util.DecodeException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A multihash: {@code varint(code) || varint(digest length) || digest}. Only the two codes libp2p
 * PeerIds use are supported: {@link #IDENTITY} and {@link #SHA2_256}. Instances are immutable and
 * compare by value.
 */
public final class Multihash {
  /** The identity "hash": the digest is the input itself. */
  public static final int IDENTITY = 0x00;
  /** SHA2-256, 32-byte digest. */
  public static final int SHA2_256 = 0x12;
  /** Longest identity digest accepted (libp2p inlines keys whose protobuf is at most 42 bytes). */
  public static final int MAX_IDENTITY_DIGEST = 42;

  private final int code;
  private final byte[] digest;

  private Multihash(int code, byte[] digest) {
    this.code = code;
    this.digest = digest;
  }

  /** The multihash bytes of the identity hash of {@code data}. */
  public static byte[] identity(byte[] data) {
    return encode(IDENTITY, data);
  }

  /** The multihash bytes of the SHA2-256 hash of {@code data}. */
  public static byte[] sha256(byte[] data) {
    try {
      return encode(SHA2_256, MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static byte[] encode(int code, byte[] digest) {
    byte[] out = new byte[Varint.encodedLength(code) + Varint.encodedLength(digest.length) + digest.length];
    int p = Varint.write(code, out, 0);
    p += Varint.write(digest.length, out, p);
    System.arraycopy(digest, 0, out, p, digest.length);
    return out;
  }

  /**
   * Parses a complete multihash (nothing may follow it). Supported: identity with a digest of at
   * most {@link #MAX_IDENTITY_DIGEST} bytes, and SHA2-256 with exactly 32 bytes.
   *
   * @throws DecodeException on truncation, trailing bytes, an unknown code ({@code UNSUPPORTED}),
   *     or a digest length not allowed for the code
   */
  public static Multihash fromBytes(byte[] bytes) throws DecodeException {
    Varint.Decoded c = Varint.decode(bytes, 0, 0xffff);
    Varint.Decoded l = Varint.decode(bytes, c.length(), 0xffff);
    int code = (int) c.value();
    int len = (int) l.value();
    if (code == IDENTITY) {
      if (len > MAX_IDENTITY_DIGEST) {
        throw DecodeException.tooLarge("identity multihash digest", len, MAX_IDENTITY_DIGEST);
      }
    } else if (code == SHA2_256) {
      if (len != 32) {
        throw DecodeException.malformed("sha2-256 multihash digest of " + len + " bytes");
      }
    } else {
      throw new DecodeException(
          DecodeException.Reason.UNSUPPORTED, "multihash code 0x" + Integer.toHexString(code));
    }
    int start = c.length() + l.length();
    int avail = bytes.length - start;
    if (avail < len) {
      throw DecodeException.truncated("multihash digest: " + avail + " of " + len + " bytes");
    }
    if (avail > len) {
      throw new DecodeException(
          DecodeException.Reason.TRAILING_BYTES, (avail - len) + " byte(s) after multihash");
    }
    return new Multihash(code, Arrays.copyOfRange(bytes, start, bytes.length));
  }

  /** Checks {@code bytes} is a supported multihash; see {@link #fromBytes}. */
  public static void validate(byte[] bytes) throws DecodeException {
    fromBytes(bytes);
  }

  public int code() {
    return code;
  }

  /** A copy of the digest. */
  public byte[] digest() {
    return digest.clone();
  }

  /** The encoded multihash. */
  public byte[] toBytes() {
    return encode(code, digest);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multihash m && m.code == code && Arrays.equals(m.digest, digest);
  }

  @Override
  public int hashCode() {
    return 31 * code + Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return "Multihash[0x" + Integer.toHexString(code) + ", " + digest.length + " bytes]";
  }
}
