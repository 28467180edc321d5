package io.leanp2p.codec.snappy;

import io.leanp2p.util.DecodeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.xerial.snappy.Snappy;

/**
 * The raw snappy block format ({@code uvarint(uncompressed_len) || tags}), as gossip payloads use
 * it, backed by snappy-java.
 *
 * <p>Decoding is strict: the length header (at most 5 bytes, minimally encoded) is read and checked
 * against the caller's limit <em>before</em> anything is allocated, the tag stream must be valid,
 * must produce exactly the declared number of bytes and must end exactly at the end of the input
 * (no trailing bytes; leanSpec's pure-Python decoder is more lenient there, C++ snappy and Rust
 * {@code snap} are not).
 */
public final class SnappyBlock {
  /** The longest uncompressed-length header: a 32-bit varint. */
  public static final int MAX_HEADER_BYTES = 5;

  private SnappyBlock() {}

  /** Compresses {@code data} into a fresh raw snappy block. */
  public static byte[] compress(byte[] data) {
    try {
      return Snappy.compress(data);
    } catch (IOException e) {
      throw new UncheckedIOException("snappy compression failed", e);
    }
  }

  /**
   * Compresses {@code data[off, off+len)} into {@code out} at {@code outOff}; {@code out} must have
   * room for {@link #maxCompressedLength(int)} bytes. Returns the number of bytes written.
   */
  public static int compress(byte[] data, int off, int len, byte[] out, int outOff) {
    try {
      return Snappy.compress(data, off, len, out, outOff);
    } catch (IOException e) {
      throw new UncheckedIOException("snappy compression failed", e);
    }
  }

  /** Worst-case compressed size of {@code len} input bytes (snappy's {@code 32 + n + n/6}). */
  public static int maxCompressedLength(int len) {
    return 32 + len + len / 6;
  }

  /** Strictly decompresses the whole of {@code compressed}; see the class comment. */
  public static byte[] decompress(byte[] compressed, int maxUncompressed) throws DecodeException {
    return decompress(compressed, 0, compressed.length, maxUncompressed);
  }

  /** Strictly decompresses {@code compressed[off, off+len)}; see the class comment. */
  public static byte[] decompress(byte[] compressed, int off, int len, int maxUncompressed)
      throws DecodeException {
    java.util.Objects.checkFromIndexSize(off, len, compressed.length);
    int declared = uncompressedLength(compressed, off, len, maxUncompressed);
    byte[] out = new byte[declared];
    decompressInto(compressed, off, len, declared, out, 0);
    return out;
  }

  /**
   * Whether {@code in[off, off+len)} is a block {@link #decompress} would accept (header within
   * {@code maxUncompressed}, valid tag stream), without decompressing it and without throwing:
   * snappy-java's validation pass costs a fraction of a decompression (about 8 µs for a 512 KiB
   * block here) and fails fast on random bytes, while a failed decompression builds two
   * exceptions (about 10 µs even for 1 KiB). Use it where invalid input is an expected outcome.
   */
  public static boolean isValid(byte[] in, int off, int len, int maxUncompressed) {
    java.util.Objects.checkFromIndexSize(off, len, in.length);
    long value = 0;
    int i = 0;
    while (true) {
      if (i >= len || i >= MAX_HEADER_BYTES) {
        return false;
      }
      int b = in[off + i] & 0xFF;
      if (i > 0 && b == 0) {
        return false;
      }
      value |= (long) (b & 0x7F) << (7 * i);
      if (value > maxUncompressed) {
        return false;
      }
      i++;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    try {
      return Snappy.isValidCompressedBuffer(in, off, len);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads the declared uncompressed length of the block {@code in[off, off+len)} and checks it
   * against {@code maxUncompressed}, without decompressing anything.
   */
  public static int uncompressedLength(byte[] in, int off, int len, int maxUncompressed)
      throws DecodeException {
    long value = 0;
    for (int i = 0; i < MAX_HEADER_BYTES; i++) {
      if (i >= len) {
        throw DecodeException.truncated("snappy length header ends after " + i + " byte(s)");
      }
      int b = in[off + i] & 0xFF;
      if (i > 0 && b == 0) {
        throw new DecodeException(
            DecodeException.Reason.NON_CANONICAL, "snappy length header not minimally encoded");
      }
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (value > maxUncompressed) {
          throw DecodeException.tooLarge("snappy declared length", value, maxUncompressed);
        }
        return (int) value;
      }
      if (value > maxUncompressed) {
        throw DecodeException.tooLarge("snappy declared length (at least)", value, maxUncompressed);
      }
    }
    throw new DecodeException(
        DecodeException.Reason.MALFORMED, "snappy length header longer than 5 bytes");
  }

  /**
   * Decompresses the block {@code in[off, off+len)}, whose header the caller has already checked
   * with {@link #uncompressedLength} and found to be {@code declared}, straight into
   * {@code out[outOff, outOff+declared)}. Verifies the stream is valid and yields exactly
   * {@code declared} bytes with nothing trailing.
   */
  static void decompressInto(byte[] in, int off, int len, int declared, byte[] out, int outOff)
      throws DecodeException {
    if (out.length - outOff < declared) {
      throw new IllegalArgumentException("output has no room for " + declared + " bytes");
    }
    if (len < 1) {
      throw DecodeException.truncated("empty snappy block");
    }
    int n;
    try {
      n = Snappy.uncompress(in, off, len, out, outOff);
    } catch (IOException e) {
      throw new DecodeException(DecodeException.Reason.MALFORMED, "invalid snappy block", e);
    }
    if (n != declared) {
      throw new DecodeException(
          DecodeException.Reason.MALFORMED,
          "snappy block produced " + n + " bytes, header declared " + declared);
    }
  }
}
