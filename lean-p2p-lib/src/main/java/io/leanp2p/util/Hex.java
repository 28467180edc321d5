package io.leanp2p.util;

/** Lower-case hex without separators; {@link #decode} accepts an optional {@code 0x} prefix. */
public final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  public static String encode(byte[] bytes) {
    return encode(bytes, 0, bytes.length);
  }

  public static String encode(byte[] bytes, int offset, int length) {
    char[] out = new char[length * 2];
    for (int i = 0; i < length; i++) {
      int b = bytes[offset + i] & 0xff;
      out[2 * i] = DIGITS[b >>> 4];
      out[2 * i + 1] = DIGITS[b & 0x0f];
    }
    return new String(out);
  }

  /**
   * Decodes hex (upper or lower case, optional {@code 0x} prefix).
   *
   * @throws IllegalArgumentException on odd length or a non-hex character
   */
  public static byte[] decode(CharSequence hex) {
    int start = 0;
    int len = hex.length();
    if (len >= 2 && hex.charAt(0) == '0' && (hex.charAt(1) == 'x' || hex.charAt(1) == 'X')) {
      start = 2;
    }
    int n = len - start;
    if ((n & 1) != 0) {
      throw new IllegalArgumentException("odd number of hex digits: " + n);
    }
    byte[] out = new byte[n / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(start + 2 * i), 16);
      int lo = Character.digit(hex.charAt(start + 2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("not a hex digit at " + (start + 2 * i));
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }
}
