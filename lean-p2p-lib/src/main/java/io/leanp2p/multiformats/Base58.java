package io.leanp2p.multiformats;

import io.leanp2p.util.DecodeException;
import java.util.Arrays;

/**
 * Base58btc (the Bitcoin alphabet), as used for legacy PeerId strings. Leading zero bytes map to
 * leading {@code '1'} characters and back. Decoding is quadratic in the input length, so inputs
 * longer than {@link #MAX_DECODE_CHARS} are rejected before any work is done.
 */
public final class Base58 {
  /** Longest text {@link #decode} accepts (a PeerId is at most ~70 characters). */
  public static final int MAX_DECODE_CHARS = 1024;

  private static final char[] ALPHABET =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".toCharArray();
  private static final int[] INDEXES = new int[128];

  static {
    Arrays.fill(INDEXES, -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      INDEXES[ALPHABET[i]] = i;
    }
  }

  private Base58() {}

  /** Encodes {@code input} as base58btc text. */
  public static String encode(byte[] input) {
    int zeros = 0;
    while (zeros < input.length && input[zeros] == 0) {
      zeros++;
    }
    // base-256 -> base-58, little-endian digit buffer; log(256)/log(58) < 1.37
    int size = (input.length - zeros) * 137 / 100 + 1;
    int[] digits = new int[size];
    int used = 0;
    for (int i = zeros; i < input.length; i++) {
      int carry = input[i] & 0xff;
      int j = 0;
      for (; j < used || carry != 0; j++) {
        carry += digits[j] << 8;
        digits[j] = carry % 58;
        carry /= 58;
      }
      used = j;
    }
    StringBuilder sb = new StringBuilder(zeros + used);
    for (int i = 0; i < zeros; i++) {
      sb.append('1');
    }
    for (int i = used - 1; i >= 0; i--) {
      sb.append(ALPHABET[digits[i]]);
    }
    return sb.toString();
  }

  /**
   * Decodes base58btc text.
   *
   * @throws DecodeException {@code MALFORMED} for a character outside the alphabet, {@code
   *     TOO_LARGE} for text longer than {@link #MAX_DECODE_CHARS}
   */
  public static byte[] decode(String text) throws DecodeException {
    if (text.length() > MAX_DECODE_CHARS) {
      throw DecodeException.tooLarge("base58 text length", text.length(), MAX_DECODE_CHARS);
    }
    int zeros = 0;
    while (zeros < text.length() && text.charAt(zeros) == '1') {
      zeros++;
    }
    // base-58 -> base-256; log(58)/log(256) < 0.733
    int size = (text.length() - zeros) * 733 / 1000 + 1;
    int[] bytes = new int[size];
    int used = 0;
    for (int i = zeros; i < text.length(); i++) {
      char c = text.charAt(i);
      int v = c < 128 ? INDEXES[c] : -1;
      if (v < 0) {
        throw DecodeException.malformed("not a base58 character at " + i);
      }
      int carry = v;
      int j = 0;
      for (; j < used || carry != 0; j++) {
        carry += bytes[j] * 58;
        bytes[j] = carry & 0xff;
        carry >>>= 8;
      }
      used = j;
    }
    byte[] out = new byte[zeros + used];
    for (int i = 0; i < used; i++) {
      out[zeros + i] = (byte) bytes[used - 1 - i];
    }
    return out;
  }
}
