package io.leanp2p.codec.snappy;

import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The snappy framing format (req/resp payloads): a stream identifier {@code ff 06 00 00 sNaPpY}
 * followed by chunks {@code type[1] || len[3, LE] || body}. Data chunks are compressed ({@code
 * 0x00}) or uncompressed ({@code 0x01}), each carrying the masked CRC32C of its uncompressed bytes
 * and at most {@value #MAX_CHUNK_UNCOMPRESSED} uncompressed bytes. Types {@code 0x02..0x7f} are
 * rejected, {@code 0x80..0xfe} skipped, and the stream identifier may repeat.
 *
 * <p>The encoder splits input every 64 KiB and stores a chunk uncompressed when compression does
 * not make it smaller; an empty input encodes as the bare stream identifier, as leanSpec does.
 * For an incremental decoder writing straight into a caller's array see {@link
 * SnappyFrameDecoder}.
 */
public final class SnappyFrames {
  /** Most uncompressed bytes one data chunk may carry. */
  public static final int MAX_CHUNK_UNCOMPRESSED = 65_536;

  /** The 10-byte stream identifier chunk. */
  static final byte[] STREAM_IDENTIFIER = {
    (byte) 0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59
  };

  static final int TYPE_COMPRESSED = 0x00;
  static final int TYPE_UNCOMPRESSED = 0x01;
  static final int TYPE_IDENTIFIER = 0xff;

  /** Largest body of a compressed chunk: CRC plus the worst-case snappy block of 64 KiB. */
  static final int MAX_COMPRESSED_BODY = 4 + SnappyBlock.maxCompressedLength(MAX_CHUNK_UNCOMPRESSED);

  private SnappyFrames() {}

  /** Returns a copy of the 10-byte stream identifier. */
  public static byte[] streamIdentifier() {
    return STREAM_IDENTIFIER.clone();
  }

  /** Upper bound of {@link #encode} output for {@code len} input bytes. */
  public static int maxEncodedLength(int len) {
    int chunks = (len + MAX_CHUNK_UNCOMPRESSED - 1) / MAX_CHUNK_UNCOMPRESSED;
    return STREAM_IDENTIFIER.length + chunks * 8 + len;
  }

  /** Frames {@code data} into a fresh array. */
  public static byte[] encode(byte[] data) {
    byte[] out = new byte[encodeCapacity(data.length)];
    int n = encodeInto(data, out, 0);
    return Arrays.copyOf(out, n);
  }

  /**
   * Frames {@code data} and writes it to {@code out}. A heap buffer is written in place; any
   * other buffer gets each chunk through one scratch array of at most one compressed chunk.
   */
  public static void encode(byte[] data, ByteBuf out) {
    if (out.hasArray()) {
      out.ensureWritable(encodeCapacity(data.length));
      int n = encodeInto(data, out.array(), out.arrayOffset() + out.writerIndex());
      out.writerIndex(out.writerIndex() + n);
      return;
    }
    out.ensureWritable(maxEncodedLength(data.length));
    out.writeBytes(STREAM_IDENTIFIER);
    byte[] scratch = new byte[8 + SnappyBlock.maxCompressedLength(
        Math.min(data.length, MAX_CHUNK_UNCOMPRESSED))];
    for (int off = 0; off < data.length; off += MAX_CHUNK_UNCOMPRESSED) {
      int n = Math.min(MAX_CHUNK_UNCOMPRESSED, data.length - off);
      int crc = maskedCrc32c(data, off, n);
      int clen = SnappyBlock.compress(data, off, n, scratch, 8);
      if (clen < n) {
        writeHeader(TYPE_COMPRESSED, 4 + clen, crc, scratch, 0);
        out.writeBytes(scratch, 0, 8 + clen);
      } else {
        writeHeader(TYPE_UNCOMPRESSED, 4 + n, crc, scratch, 0);
        out.writeBytes(scratch, 0, 8);
        out.writeBytes(data, off, n);
      }
    }
  }

  /** Room {@link #encodeInto} needs: the output bound plus slack to compress in place. */
  private static int encodeCapacity(int len) {
    int chunk = Math.min(len, MAX_CHUNK_UNCOMPRESSED);
    return maxEncodedLength(len) + SnappyBlock.maxCompressedLength(chunk) - chunk;
  }

  /**
   * Writes the framed stream at {@code out[start..]}, compressing each chunk in place behind its
   * header and falling back to a raw copy when compression does not shrink it.
   */
  private static int encodeInto(byte[] data, byte[] out, int start) {
    int pos = write(STREAM_IDENTIFIER, out, start);
    for (int off = 0; off < data.length; off += MAX_CHUNK_UNCOMPRESSED) {
      int n = Math.min(MAX_CHUNK_UNCOMPRESSED, data.length - off);
      int crc = maskedCrc32c(data, off, n);
      int clen = SnappyBlock.compress(data, off, n, out, pos + 8);
      if (clen < n) {
        writeHeader(TYPE_COMPRESSED, 4 + clen, crc, out, pos);
        pos += 8 + clen;
      } else {
        writeHeader(TYPE_UNCOMPRESSED, 4 + n, crc, out, pos);
        System.arraycopy(data, off, out, pos + 8, n);
        pos += 8 + n;
      }
    }
    return pos - start;
  }

  private static int write(byte[] src, byte[] out, int pos) {
    System.arraycopy(src, 0, out, pos, src.length);
    return pos + src.length;
  }

  private static int writeHeader(int type, int len, int crc, byte[] out, int pos) {
    out[pos] = (byte) type;
    out[pos + 1] = (byte) len;
    out[pos + 2] = (byte) (len >>> 8);
    out[pos + 3] = (byte) (len >>> 16);
    out[pos + 4] = (byte) crc;
    out[pos + 5] = (byte) (crc >>> 8);
    out[pos + 6] = (byte) (crc >>> 16);
    out[pos + 7] = (byte) (crc >>> 24);
    return pos + 8;
  }

  /**
   * Decodes a whole framed stream into a fresh array of exactly the uncompressed size. A first
   * pass reads only chunk headers (and snappy length headers) to sum the output size and check it
   * against {@code maxUncompressed} before anything is allocated; the second pass decompresses
   * each chunk straight into the output. Empty input, a missing stream identifier, reserved chunk
   * types, oversized chunks, bad CRCs and truncated chunks are rejected.
   */
  public static byte[] decode(byte[] framed, int maxUncompressed) throws DecodeException {
    int total = scanUncompressedLength(framed, maxUncompressed);
    byte[] out = new byte[total];
    SnappyFrameDecoder d = new SnappyFrameDecoder();
    d.reset(out, 0, total, Long.MAX_VALUE);
    int pos = 0;
    while (pos < framed.length) {
      int n = d.feed(framed, pos, framed.length - pos);
      if (n == 0) {
        throw new IllegalStateException("frame decoder made no progress");
      }
      pos += n;
    }
    if (!d.isComplete() || !d.atChunkBoundary()) {
      throw DecodeException.truncated("framed stream ends inside a chunk");
    }
    return out;
  }

  /** First pass of {@link #decode}: validates chunk structure and sums uncompressed sizes. */
  private static int scanUncompressedLength(byte[] in, int max) throws DecodeException {
    if (in.length == 0) {
      throw DecodeException.truncated("empty framed stream");
    }
    long total = 0;
    int pos = 0;
    boolean first = true;
    while (pos < in.length) {
      if (in.length - pos < 4) {
        throw DecodeException.truncated("chunk header");
      }
      int type = in[pos] & 0xFF;
      int len = (in[pos + 1] & 0xFF) | (in[pos + 2] & 0xFF) << 8 | (in[pos + 3] & 0xFF) << 16;
      checkChunkHeader(type, len, first);
      first = false;
      pos += 4;
      if (in.length - pos < len) {
        throw DecodeException.truncated("chunk body of " + len + " bytes");
      }
      if (type == TYPE_COMPRESSED) {
        total += SnappyBlock.uncompressedLength(in, pos + 4, len - 4, MAX_CHUNK_UNCOMPRESSED);
      } else if (type == TYPE_UNCOMPRESSED) {
        total += len - 4;
      }
      if (total > max) {
        throw DecodeException.tooLarge("framed uncompressed length (at least)", total, max);
      }
      pos += len;
    }
    return (int) total;
  }

  /** Validates a chunk header: type known or skippable, length within the type's limit. */
  static void checkChunkHeader(int type, int len, boolean first) throws DecodeException {
    if (first && type != TYPE_IDENTIFIER) {
      throw new DecodeException(
          DecodeException.Reason.MALFORMED, "framed stream does not start with the stream identifier");
    }
    switch (type) {
      case TYPE_IDENTIFIER -> {
        if (len != 6) {
          throw DecodeException.malformed("stream identifier chunk of length " + len);
        }
      }
      case TYPE_COMPRESSED -> {
        if (len < 5) {
          throw DecodeException.malformed("compressed chunk of length " + len);
        }
        if (len > MAX_COMPRESSED_BODY) {
          throw DecodeException.tooLarge("compressed chunk length", len, MAX_COMPRESSED_BODY);
        }
      }
      case TYPE_UNCOMPRESSED -> {
        if (len < 4) {
          throw DecodeException.malformed("uncompressed chunk of length " + len);
        }
        if (len > 4 + MAX_CHUNK_UNCOMPRESSED) {
          throw DecodeException.tooLarge("uncompressed chunk length", len, 4 + MAX_CHUNK_UNCOMPRESSED);
        }
      }
      default -> {
        if (type < 0x80) {
          throw new DecodeException(
              DecodeException.Reason.UNSUPPORTED, "reserved unskippable chunk type " + type);
        }
        // 0x80..0xfe: skippable padding, any length
      }
    }
  }

  /**
   * The masked CRC32C of {@code data[off, off+len)} as snappy framing stores it: {@code
   * ((crc >>> 15) | (crc << 17)) + 0xa282ead8}.
   */
  public static int maskedCrc32c(byte[] data, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(data, off, len);
    return mask((int) crc.getValue());
  }

  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }
}
