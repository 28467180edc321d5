package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;

/** Little-endian helpers and offset checks shared by the SSZ containers. */
final class Ssz {
  private Ssz() {}

  static void putU64(byte[] b, int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  static void putU32(byte[] b, int off, int v) {
    for (int i = 0; i < 4; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  static long u64(byte[] b, int off) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  /** A uint32 offset as a non-negative long. */
  static long u32(byte[] b, int off) {
    return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16
        | (b[off + 3] & 0xFFL) << 24;
  }

  static void exactLength(String type, int len, int size) throws DecodeException {
    if (len < size) {
      throw DecodeException.truncated(type + " needs " + size + " bytes, got " + len);
    }
    if (len > size) {
      throw new DecodeException(DecodeException.Reason.TRAILING_BYTES,
          type + " needs " + size + " bytes, got " + len);
    }
  }

  static void minLength(String type, int len, int size) throws DecodeException {
    if (len < size) {
      throw DecodeException.truncated(type + " needs at least " + size + " bytes, got " + len);
    }
  }

  /** Reads an offset at {@code b[off + at]} and checks it equals {@code expected}. */
  static void firstOffset(String type, byte[] b, int off, int at, int expected)
      throws DecodeException {
    long o = u32(b, off + at);
    if (o != expected) {
      throw DecodeException.malformed(type + " first offset " + o + ", expected " + expected);
    }
  }

  /**
   * Splits {@code b[off, off+len)}, the body of a list of variable-size elements, into element
   * boundaries: returns {@code count + 1} absolute positions. Checks the offsets are well formed
   * (first = 4 * count, non-decreasing, within bounds) and {@code count <= max}.
   */
  static int[] variableListBounds(String type, byte[] b, int off, int len, int max)
      throws DecodeException {
    if (len == 0) {
      return new int[] {off};
    }
    minLength(type, len, 4);
    long first = u32(b, off);
    if (first % 4 != 0 || first == 0 || first > len) {
      throw DecodeException.malformed(type + " bad first offset " + first);
    }
    long count = first / 4;
    if (count > max) {
      throw DecodeException.tooLarge(type + " element count", count, max);
    }
    int n = (int) count;
    int[] bounds = new int[n + 1];
    long prev = first;
    for (int i = 0; i < n; i++) {
      long o = i == 0 ? first : u32(b, off + 4 * i);
      if (o < prev || o > len) {
        throw DecodeException.malformed(type + " offset " + i + " = " + o + " out of order or bounds");
      }
      bounds[i] = off + (int) o;
      prev = o;
    }
    bounds[n] = off + len;
    return bounds;
  }

  static byte[] slice(byte[] b, int from, int to) {
    return java.util.Arrays.copyOfRange(b, from, to);
  }

  static byte[] root32(String what, byte[] r) {
    if (r == null || r.length != 32) {
      throw new IllegalArgumentException(what + " must be 32 bytes");
    }
    return r;
  }
}
