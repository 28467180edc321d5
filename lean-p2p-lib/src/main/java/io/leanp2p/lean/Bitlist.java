package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;

/**
 * SSZ bitlists: bits packed little-endian with a delimiter bit set just past the last bit, so the
 * encoding is never empty and its last byte never zero.
 */
public final class Bitlist {
  private Bitlist() {}

  /** Encodes {@code bits} with the delimiter. */
  public static byte[] encode(boolean[] bits) {
    byte[] out = new byte[bits.length / 8 + 1];
    for (int i = 0; i < bits.length; i++) {
      if (bits[i]) {
        out[i / 8] |= (byte) (1 << (i % 8));
      }
    }
    out[bits.length / 8] |= (byte) (1 << (bits.length % 8));
    return out;
  }

  /** Decodes to booleans, validating against {@code limitBits}. */
  public static boolean[] decode(byte[] ssz, int limitBits) throws DecodeException {
    int n = validate(ssz, 0, ssz.length, limitBits);
    boolean[] bits = new boolean[n];
    for (int i = 0; i < n; i++) {
      bits[i] = (ssz[i / 8] & (1 << (i % 8))) != 0;
    }
    return bits;
  }

  /**
   * Checks {@code b[off, off+len)} is a bitlist of at most {@code limitBits} bits; returns its
   * bit count.
   */
  public static int validate(byte[] b, int off, int len, int limitBits) throws DecodeException {
    if (len == 0) {
      throw DecodeException.truncated("bitlist is empty (no delimiter)");
    }
    if (len > limitBits / 8 + 1) {
      throw DecodeException.tooLarge("bitlist bytes", len, limitBits / 8 + 1);
    }
    int last = b[off + len - 1] & 0xFF;
    if (last == 0) {
      throw DecodeException.malformed("bitlist has no delimiter bit");
    }
    int bits = (len - 1) * 8 + (31 - Integer.numberOfLeadingZeros(last));
    if (bits > limitBits) {
      throw DecodeException.tooLarge("bitlist length", bits, limitBits);
    }
    return bits;
  }

  /** Bit count of a bitlist already known to be valid. */
  static int length(byte[] ssz) {
    int last = ssz[ssz.length - 1] & 0xFF;
    return (ssz.length - 1) * 8 + (31 - Integer.numberOfLeadingZeros(last));
  }
}
