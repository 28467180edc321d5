package io.leanp2p.codec.sszsnappy;

import io.leanp2p.codec.snappy.SnappyFrameDecoder;
import io.leanp2p.codec.snappy.SnappyFrames;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;

/**
 * Incremental decoder of one {@code ssz_snappy} request ({@code uvarint(len) || framed(ssz)}).
 * Accepts bytes in any split and returns the SSZ as soon as the declared number of bytes has been
 * decompressed, without waiting for the end of the stream (the server does not wait for FIN).
 *
 * <p>A declared length above {@code maxLength} is rejected as soon as the varint proves it, and
 * framed input beyond {@link SszSnappy#maxCompressedLength(int)} is rejected on the chunk header
 * that would exceed it, before decompressing. A declared length of 0 completes at once; a bare
 * stream identifier after it is accepted and swallowed. The call that completes the request
 * leaves any bytes after it unread in the buffer (the request is never lost to trailing bytes);
 * a later call that sees bytes after a complete request rejects them as {@link
 * DecodeException.Reason#TRAILING_BYTES}.
 *
 * <p>Single-threaded (the stream's event loop). After a {@link DecodeException} the decoder is
 * dead and further calls throw {@link IllegalStateException}.
 */
public final class RequestDecoder {
  private static final byte[] IDENT = SnappyFrames.streamIdentifier();

  private final SnappyFrameDecoder frames = new SnappyFrameDecoder();
  private final LengthPrefix prefix;
  private int declared = -1;
  private byte[] out;
  private boolean complete;
  private boolean failed;
  private int identMatched;

  /** A decoder accepting requests of at most {@code maxLength} (≤ {@link SszSnappy#MAX_PAYLOAD}). */
  public RequestDecoder(int maxLength) {
    if (maxLength < 0 || maxLength > SszSnappy.MAX_PAYLOAD) {
      throw new IllegalArgumentException("maxLength out of range: " + maxLength);
    }
    this.prefix = new LengthPrefix(maxLength);
  }

  /**
   * Consumes from {@code in} (advancing its reader index; the caller keeps ownership and releases
   * it) and returns the request SSZ once complete, {@code null} before that and on every call
   * after the one that returned it. The completing call does not read past the request.
   */
  public byte[] decode(ByteBuf in) throws DecodeException {
    if (failed) {
      throw new IllegalStateException("decoder failed earlier");
    }
    try {
      if (complete) {
        consumeTrailing(in);
        return null;
      }
      if (declared < 0) {
        int v = prefix.read(in);
        if (v < 0) {
          return null;
        }
        declared = v;
        if (declared == 0) {
          complete = true;
          swallowIdentifier(in);
          return new byte[0];
        }
        out = new byte[declared];
        frames.reset(out, 0, declared, SszSnappy.maxCompressedLength(declared));
      }
      if (frames.decode(in)) {
        complete = true;
        byte[] result = out;
        out = null;
        return result;
      }
      return null;
    } catch (DecodeException e) {
      failed = true;
      out = null;
      throw e;
    }
  }

  /** True once the whole request has been decoded. */
  public boolean isComplete() {
    return complete;
  }

  /** The declared length, or -1 while the varint is incomplete. */
  public int declaredLength() {
    return declared;
  }

  /** Call at end of stream: throws {@link DecodeException.Reason#TRUNCATED} if incomplete. */
  public void endOfStream() throws DecodeException {
    if (!complete) {
      throw DecodeException.truncated(declared < 0
          ? "request ended before its length prefix"
          : "request ended after " + frames.produced() + " of " + declared + " bytes");
    }
    if (identMatched > 0 && identMatched < IDENT.length) {
      throw DecodeException.truncated("request ended inside a stream identifier");
    }
  }

  private void consumeTrailing(ByteBuf in) throws DecodeException {
    swallowIdentifier(in);
    if (in.isReadable()) {
      throw new DecodeException(DecodeException.Reason.TRAILING_BYTES,
          in.readableBytes() + " byte(s) after a complete request");
    }
  }

  /** After a declared length of 0: consumes bytes as long as they continue the identifier. */
  private void swallowIdentifier(ByteBuf in) {
    while (declared == 0 && identMatched < IDENT.length && in.isReadable()
        && in.getByte(in.readerIndex()) == IDENT[identMatched]) {
      in.skipBytes(1);
      identMatched++;
    }
  }
}
