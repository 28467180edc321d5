package io.leanp2p.codec.snappy;

import static io.leanp2p.codec.snappy.SnappyFrames.MAX_CHUNK_UNCOMPRESSED;
import static io.leanp2p.codec.snappy.SnappyFrames.STREAM_IDENTIFIER;
import static io.leanp2p.codec.snappy.SnappyFrames.TYPE_COMPRESSED;
import static io.leanp2p.codec.snappy.SnappyFrames.TYPE_IDENTIFIER;
import static io.leanp2p.codec.snappy.SnappyFrames.TYPE_UNCOMPRESSED;

import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32C;

/**
 * Incremental decoder of one snappy framed stream whose uncompressed size is known in advance
 * (the req/resp declared length). Bytes may arrive in any split; each data chunk is decompressed
 * straight into the caller's output array and its CRC verified there. The decoder stops consuming
 * input as soon as the expected number of bytes has been produced, so whatever follows (the next
 * response chunk) stays in the caller's buffer.
 *
 * <p>Limits are checked on each chunk header, before its body is buffered or decompressed: the
 * chunk type and length (see {@link SnappyFrames}), the running count of framed bytes against
 * {@code maxFramedBytes}, and a data chunk's uncompressed size against the bytes still expected.
 *
 * <p>Not thread-safe; one instance per stream, reusable with {@link #reset}.
 */
public final class SnappyFrameDecoder {
  private static final int HEADER = 4;

  private final CRC32C crc = new CRC32C();
  private byte[] out;
  private int outOff;
  private int expected;
  private int produced;
  private long maxFramedBytes;
  private long consumed;
  private boolean first;

  // chunk-level state
  private int headerFill; // 0..4 bytes of the current header seen
  private int headerBits; // those bytes, little-endian
  private int type = -1; // -1: reading a header
  private int bodyLen;
  private int bodyFill; // bytes buffered in scratch, or skipped for skippable chunks
  private byte[] scratch;

  /** A decoder with no target; call {@link #reset} before feeding it. */
  public SnappyFrameDecoder() {}

  /**
   * Prepares to decode one framed stream of exactly {@code expected} uncompressed bytes into
   * {@code out[outOff, outOff+expected)}, consuming at most {@code maxFramedBytes} framed bytes.
   */
  public void reset(byte[] out, int outOff, int expected, long maxFramedBytes) {
    java.util.Objects.checkFromIndexSize(outOff, expected, out.length);
    this.out = out;
    this.outOff = outOff;
    this.expected = expected;
    this.maxFramedBytes = maxFramedBytes;
    this.produced = 0;
    this.consumed = 0;
    this.first = true;
    this.headerFill = 0;
    this.headerBits = 0;
    this.type = -1;
    this.bodyLen = 0;
    this.bodyFill = 0;
  }

  /** True once {@code expected} bytes have been produced (and at least the identifier seen). */
  public boolean isComplete() {
    return produced == expected && !first;
  }

  /** True when no chunk is partially read. */
  public boolean atChunkBoundary() {
    return type == -1 && headerFill == 0;
  }

  /** Uncompressed bytes written so far. */
  public int produced() {
    return produced;
  }

  /** Framed bytes consumed so far. */
  public long consumed() {
    return consumed;
  }

  /**
   * Consumes bytes from {@code in} (advancing its reader index, never releasing it) until the
   * stream is complete or {@code in} is empty. Returns {@link #isComplete()}.
   */
  public boolean decode(ByteBuf in) throws DecodeException {
    if (in.hasArray()) {
      int n = feed(in.array(), in.arrayOffset() + in.readerIndex(), in.readableBytes());
      in.skipBytes(n);
      return isComplete();
    }
    // no backing array (a direct buffer): read headers byte by byte and copy each body once,
    // straight into the chunk buffer (small chunks and large ones alike)
    while (in.isReadable() && !isComplete()) {
      if (type == -1) {
        while (headerFill < HEADER && in.isReadable()) {
          headerBits |= in.readUnsignedByte() << (8 * headerFill);
          headerFill++;
          consumed++;
        }
        if (headerFill == HEADER) {
          startChunk(headerBits & 0xFF, headerBits >>> 8, consumed);
          if (bodyLen == 0) {
            endChunk();
          }
        }
        continue;
      }
      int n = Math.min(bodyLen - bodyFill, in.readableBytes());
      if (isSkippable(type)) {
        in.skipBytes(n);
      } else {
        ensureScratch();
        in.readBytes(scratch, bodyFill, n);
      }
      bodyFill += n;
      consumed += n;
      if (bodyFill == bodyLen) {
        if (!isSkippable(type)) {
          processChunk(scratch, 0, bodyLen);
        }
        endChunk();
      }
    }
    return isComplete();
  }

  /**
   * Consumes from {@code src[off, off+len)} until complete or exhausted; returns the number of
   * bytes consumed. Once complete, a further call goes on decoding chunks that produce nothing
   * (identifiers, padding, empty data chunks) and rejects any that would produce more.
   */
  public int feed(byte[] src, int off, int len) throws DecodeException {
    int pos = off;
    int end = off + len;
    boolean wasComplete = isComplete();
    while (pos < end) {
      if (!wasComplete && isComplete()) {
        break;
      }
      if (type == -1) {
        // header bytes
        while (headerFill < HEADER && pos < end) {
          headerBits |= (src[pos++] & 0xFF) << (8 * headerFill);
          headerFill++;
        }
        if (headerFill < HEADER) {
          break;
        }
        startChunk(headerBits & 0xFF, headerBits >>> 8, consumed + (pos - off));
        if (bodyLen == 0) {
          endChunk();
        }
        continue;
      }
      int need = bodyLen - bodyFill;
      if (isSkippable(type)) {
        int n = Math.min(need, end - pos);
        pos += n;
        bodyFill += n;
      } else if (bodyFill == 0 && end - pos >= bodyLen) {
        processChunk(src, pos, bodyLen);
        pos += bodyLen;
        bodyFill = bodyLen;
      } else {
        ensureScratch();
        int n = Math.min(need, end - pos);
        System.arraycopy(src, pos, scratch, bodyFill, n);
        pos += n;
        bodyFill += n;
        if (bodyFill == bodyLen) {
          processChunk(scratch, 0, bodyLen);
        }
      }
      if (bodyFill == bodyLen) {
        endChunk();
      }
    }
    int n = pos - off;
    consumed += n;
    return n;
  }

  private static boolean isSkippable(int chunkType) {
    return chunkType >= 0x80 && chunkType != TYPE_IDENTIFIER;
  }

  /** The chunk buffer, only needed when a body arrives split; at most ~75 KiB. */
  private void ensureScratch() {
    if (scratch == null || scratch.length < bodyLen) {
      scratch = new byte[bodyLen];
    }
  }

  private void endChunk() {
    type = -1;
    headerFill = 0;
    headerBits = 0;
  }

  private void startChunk(int chunkType, int chunkLen, long consumedSoFar)
      throws DecodeException {
    SnappyFrames.checkChunkHeader(chunkType, chunkLen, first);
    first = false;
    long after = consumedSoFar + chunkLen;
    if (after > maxFramedBytes) {
      throw DecodeException.tooLarge("framed bytes", after, maxFramedBytes);
    }
    if (chunkType == TYPE_UNCOMPRESSED && chunkLen - 4 > expected - produced) {
      throw DecodeException.tooLarge("uncompressed chunk beyond declared length", chunkLen - 4,
          expected - produced);
    }
    type = chunkType;
    bodyLen = chunkLen;
    bodyFill = 0;
  }

  private void processChunk(byte[] b, int off, int len) throws DecodeException {
    switch (type) {
      case TYPE_IDENTIFIER -> {
        for (int i = 0; i < 6; i++) {
          if (b[off + i] != STREAM_IDENTIFIER[4 + i]) {
            throw DecodeException.malformed("bad stream identifier body");
          }
        }
      }
      case TYPE_COMPRESSED -> {
        int want = readLe32(b, off);
        int remaining = expected - produced;
        int ulen = SnappyBlock.uncompressedLength(b, off + 4, len - 4,
            Math.min(MAX_CHUNK_UNCOMPRESSED, remaining));
        SnappyBlock.decompressInto(b, off + 4, len - 4, ulen, out, outOff + produced);
        checkCrc(want, out, outOff + produced, ulen);
        produced += ulen;
      }
      case TYPE_UNCOMPRESSED -> {
        int want = readLe32(b, off);
        int ulen = len - 4;
        checkCrc(want, b, off + 4, ulen);
        System.arraycopy(b, off + 4, out, outOff + produced, ulen);
        produced += ulen;
      }
      default -> throw new IllegalStateException("unexpected chunk type " + type);
    }
  }

  private void checkCrc(int want, byte[] b, int off, int len) throws DecodeException {
    crc.reset();
    crc.update(b, off, len);
    int got = SnappyFrames.mask((int) crc.getValue());
    if (got != want) {
      throw new DecodeException(DecodeException.Reason.BAD_CHECKSUM,
          String.format("chunk CRC %08x, expected %08x", got, want));
    }
  }

  private static int readLe32(byte[] b, int off) {
    return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16
        | (b[off + 3] & 0xFF) << 24;
  }
}
