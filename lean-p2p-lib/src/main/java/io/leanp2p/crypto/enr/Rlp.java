package io.leanp2p.crypto.enr;

import io.leanp2p.util.DecodeException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Strict RLP (Ethereum recursive length prefix) decoder and encoder. The decoder accepts only the
 * canonical encoding: a single byte below {@code 0x80} must be encoded as itself, short forms must
 * be used for payloads up to 55 bytes, length prefixes have no leading zero bytes, and nothing may
 * follow the top-level item. Input size and nesting depth are capped; every declared length is
 * checked against the bytes actually present before anything is copied.
 */
public final class Rlp {
  /** Deepest nesting of lists accepted. */
  public static final int MAX_DEPTH = 16;

  private Rlp() {}

  /**
   * A decoded item: either a byte string or a list of items. Keeps a copy of its own canonical
   * encoding.
   */
  public static final class Item {
    private final byte[] encoded;
    private final byte[] bytes;
    private final List<Item> items;

    private Item(byte[] encoded, byte[] bytes, List<Item> items) {
      this.encoded = encoded;
      this.bytes = bytes;
      this.items = items;
    }

    public boolean isList() {
      return items != null;
    }

    /**
     * The string payload (a copy).
     *
     * @throws IllegalStateException if this is a list
     */
    public byte[] bytes() {
      if (bytes == null) {
        throw new IllegalStateException("RLP item is a list");
      }
      return bytes.clone();
    }

    /**
     * The list elements.
     *
     * @throws IllegalStateException if this is a byte string
     */
    public List<Item> items() {
      if (items == null) {
        throw new IllegalStateException("RLP item is a byte string");
      }
      return items;
    }

    /** This item's canonical encoding (a copy). */
    public byte[] encoded() {
      return encoded.clone();
    }

    int encodedLength() {
      return encoded.length;
    }

    void writeEncoded(ByteArrayOutputStream out) {
      out.writeBytes(encoded);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Item i && Arrays.equals(i.encoded, encoded);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
      return isList() ? "RlpList" + items : "RlpBytes[" + bytes.length + "]";
    }
  }

  /**
   * Decodes exactly one canonical RLP item filling all of {@code in}.
   *
   * @param maxBytes largest input accepted (checked first)
   * @throws DecodeException {@code TOO_LARGE}, {@code TRUNCATED}, {@code NON_CANONICAL}, {@code
   *     TRAILING_BYTES} or {@code MALFORMED} (nesting too deep)
   */
  public static Item decode(byte[] in, int maxBytes) throws DecodeException {
    if (in.length > maxBytes) {
      throw DecodeException.tooLarge("RLP input", in.length, maxBytes);
    }
    if (in.length == 0) {
      throw DecodeException.truncated("empty RLP input");
    }
    int[] next = new int[1];
    Item item = parse(in, 0, in.length, 0, next);
    if (next[0] != in.length) {
      throw new DecodeException(
          DecodeException.Reason.TRAILING_BYTES, (in.length - next[0]) + " byte(s) after RLP item");
    }
    return item;
  }

  private static Item parse(byte[] in, int pos, int end, int depth, int[] next) throws DecodeException {
    if (pos >= end) {
      throw DecodeException.truncated("RLP item missing");
    }
    int b = in[pos] & 0xff;
    if (b < 0x80) {
      next[0] = pos + 1;
      return new Item(new byte[] {(byte) b}, new byte[] {(byte) b}, null);
    }
    boolean list = b >= 0xc0;
    int shortBase = list ? 0xc0 : 0x80;
    int longBase = list ? 0xf7 : 0xb7;
    int payloadStart;
    int len;
    if (b <= longBase) {
      len = b - shortBase;
      payloadStart = pos + 1;
    } else {
      int lenOfLen = b - longBase;
      if (end - pos - 1 < lenOfLen) {
        throw DecodeException.truncated("RLP length prefix");
      }
      if (in[pos + 1] == 0) {
        throw new DecodeException(DecodeException.Reason.NON_CANONICAL, "RLP length with leading zero");
      }
      long l = 0;
      for (int i = 0; i < lenOfLen; i++) {
        l = (l << 8) | (in[pos + 1 + i] & 0xff);
        if (l > Integer.MAX_VALUE) {
          throw DecodeException.tooLarge("RLP length", "> 2^31", Integer.MAX_VALUE);
        }
      }
      if (l <= 55) {
        throw new DecodeException(DecodeException.Reason.NON_CANONICAL, "RLP long form for " + l + " bytes");
      }
      len = (int) l;
      payloadStart = pos + 1 + lenOfLen;
    }
    if (end - payloadStart < len) {
      throw DecodeException.truncated("RLP payload: " + (end - payloadStart) + " of " + len + " bytes");
    }
    int payloadEnd = payloadStart + len;
    byte[] encoded = Arrays.copyOfRange(in, pos, payloadEnd);
    next[0] = payloadEnd;
    if (!list) {
      if (len == 1 && (in[payloadStart] & 0xff) < 0x80) {
        throw new DecodeException(DecodeException.Reason.NON_CANONICAL, "RLP single byte below 0x80 with a prefix");
      }
      return new Item(encoded, Arrays.copyOfRange(in, payloadStart, payloadEnd), null);
    }
    if (depth >= MAX_DEPTH) {
      throw DecodeException.malformed("RLP nesting deeper than " + MAX_DEPTH);
    }
    List<Item> items = new ArrayList<>();
    int[] child = new int[1];
    int p = payloadStart;
    while (p < payloadEnd) {
      items.add(parse(in, p, payloadEnd, depth + 1, child));
      p = child[0];
    }
    return new Item(encoded, null, Collections.unmodifiableList(items));
  }

  /** Encodes a byte string. */
  public static byte[] encodeBytes(byte[] s) {
    if (s.length == 1 && (s[0] & 0xff) < 0x80) {
      return s.clone();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length + 9);
    writeHeader(out, 0x80, s.length);
    out.writeBytes(s);
    return out.toByteArray();
  }

  /** Encodes a list whose elements are already RLP-encoded. */
  public static byte[] encodeList(List<byte[]> encodedItems) {
    int total = 0;
    for (byte[] e : encodedItems) {
      total += e.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(total + 9);
    writeHeader(out, 0xc0, total);
    for (byte[] e : encodedItems) {
      out.writeBytes(e);
    }
    return out.toByteArray();
  }

  /** Encodes an unsigned integer as a minimal big-endian byte string (0 → empty). */
  public static byte[] encodeUnsigned(long v) {
    int n = (64 - Long.numberOfLeadingZeros(v) + 7) / 8;
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[n - 1 - i] = (byte) (v >>> (8 * i));
    }
    return encodeBytes(b);
  }

  private static void writeHeader(ByteArrayOutputStream out, int base, int len) {
    if (len <= 55) {
      out.write(base + len);
      return;
    }
    int n = (32 - Integer.numberOfLeadingZeros(len) + 7) / 8;
    out.write(base + 55 + n);
    for (int i = n - 1; i >= 0; i--) {
      out.write(len >>> (8 * i));
    }
  }
}
