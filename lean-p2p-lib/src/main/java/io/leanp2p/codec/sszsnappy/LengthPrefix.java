package io.leanp2p.codec.sszsnappy;

import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;

/**
 * Byte-at-a-time reader of the unsigned LEB128 length prefix, keeping partial state between
 * buffers so that callers never have to keep unconsumed bytes. Same rules as {@link
 * io.leanp2p.multiformats.Varint}: minimal encoding only, at most 10 bytes, and a value above the
 * limit is rejected as soon as the bytes seen prove it.
 */
final class LengthPrefix {
  private final int max;
  private long value;
  private int count;

  LengthPrefix(int max) {
    this.max = max;
  }

  void reset() {
    value = 0;
    count = 0;
  }

  /** Bytes of the prefix consumed so far (0 when none is pending). */
  int pending() {
    return count;
  }

  /** Consumes bytes until the prefix is complete; returns its value, or -1 if {@code in} ran dry. */
  int read(ByteBuf in) throws DecodeException {
    while (in.isReadable()) {
      int b = in.readUnsignedByte();
      if (count > 0 && b == 0) {
        throw new DecodeException(DecodeException.Reason.NON_CANONICAL, "length prefix not minimally encoded");
      }
      value |= (long) (b & 0x7F) << (7 * count);
      count++;
      if (value > max) {
        throw DecodeException.tooLarge(count == 1 || (b & 0x80) == 0
            ? "declared length" : "declared length (at least)", value, max);
      }
      if ((b & 0x80) == 0) {
        int v = (int) value;
        reset();
        return v;
      }
      if (count >= 5) {
        // max <= 10 MiB < 2^28: a fifth continuation byte can only mean a larger value
        throw DecodeException.tooLarge("declared length prefix of more than 5 bytes", count, max);
      }
    }
    return -1;
  }
}
