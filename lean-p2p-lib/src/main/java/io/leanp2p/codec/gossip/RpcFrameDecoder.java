package io.leanp2p.codec.gossip;

import io.leanp2p.multiformats.Varint;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayList;
import java.util.List;
import io.leanp2p.config.RpcLimits;

/**
 * Incremental decoder of the gossipsub stream framing {@code uvarint(len) || rpc_bytes},
 * repeated. Feed it buffers as they arrive in any fragmentation; it returns each complete frame
 * body either as a {@code byte[]} ({@link #decode(ByteBuf, List)}: copied at the boundary, so no
 * pooled memory is retained) or, on the hot path, as a buffer made of the received buffers
 * themselves ({@link #decodeFrames}: no copy; {@link RpcCodec#decode(ByteBuf, RpcLimits)} then
 * copies each payload once into the array the message keeps).
 *
 * <p>A declared length above {@code maxFrameSize} is rejected as soon as the varint bytes prove
 * it, before anything is allocated; the body array is allocated only once its (checked) length is
 * known. After a {@link DecodeException} the decoder is unusable (the stream must be reset: the
 * framing is lost). Not thread-safe: one decoder per inbound stream, on the owner thread.
 */
public final class RpcFrameDecoder {
  private final int maxFrameSize;
  private final byte[] header = new byte[Varint.MAX_BYTES];
  private int headerLen;
  private byte[] body;
  private int bodyPos;
  private boolean failed;
  // zero-copy form: the declared length of the frame in progress (-1: reading a length), and its
  // bytes so far when they span buffers
  private int pendingLength = -1;
  private CompositeByteBuf partial;

  public RpcFrameDecoder(int maxFrameSize) {
    if (maxFrameSize < 0) {
      throw new IllegalArgumentException("maxFrameSize < 0");
    }
    this.maxFrameSize = maxFrameSize;
  }

  /** With the default lean limit ({@link RpcLimits#DEFAULT}). */
  public RpcFrameDecoder() {
    this(RpcLimits.DEFAULT.maxRpcSize());
  }

  /**
   * Consumes all of {@code in} (and releases it, also on failure) and returns the frame bodies it
   * completed, in order (possibly none).
   */
  public List<byte[]> decode(ByteBuf in) throws DecodeException {
    try {
      List<byte[]> out = new ArrayList<>(2);
      decode(in, out);
      return out;
    } finally {
      in.release();
    }
  }

  /** Consumes all readable bytes of {@code in} (does not release it), appending frames to out. */
  public void decode(ByteBuf in, List<byte[]> out) throws DecodeException {
    if (failed) {
      throw new DecodeException(DecodeException.Reason.MALFORMED, "frame decoder failed earlier");
    }
    try {
      while (in.isReadable()) {
        if (body == null) {
          readHeaderByte(in.readByte());
          if (body != null && body.length == 0) {
            out.add(body);
            body = null;
          }
        } else {
          int n = Math.min(in.readableBytes(), body.length - bodyPos);
          in.readBytes(body, bodyPos, n);
          bodyPos += n;
          if (bodyPos == body.length) {
            out.add(body);
            body = null;
          }
        }
      }
    } catch (DecodeException e) {
      failed = true;
      throw e;
    }
  }

  private void readHeaderByte(byte b) throws DecodeException {
    header[headerLen++] = b;
    if ((b & 0x80) != 0) {
      checkPartialLength();
      return;
    }
    Varint.Decoded d = Varint.decode(header, 0, maxFrameSize);
    headerLen = 0;
    body = new byte[(int) d.value()];
    bodyPos = 0;
  }

  /**
   * Zero-copy form: consumes all readable bytes of {@code in} (does not release it) and appends
   * each completed frame body to {@code out} as a buffer the caller owns and must release: a
   * retained slice of {@code in} when the body lies inside it, else a composite of retained slices
   * of the buffers it arrived in (never copied). Declared lengths are checked exactly as in {@link
   * #decode(ByteBuf, List)}; a partial frame is held until {@link #release()}. Do not mix with the
   * array form on one decoder.
   */
  public void decodeFrames(ByteBuf in, List<ByteBuf> out) throws DecodeException {
    if (failed) {
      throw new DecodeException(DecodeException.Reason.MALFORMED, "frame decoder failed earlier");
    }
    try {
      while (in.isReadable()) {
        if (partial == null && pendingLength < 0) {
          readHeaderByteOnly(in.readByte());
          if (pendingLength == 0) {
            out.add(io.netty.buffer.Unpooled.EMPTY_BUFFER);
            pendingLength = -1;
          }
          continue;
        }
        if (partial == null) {
          if (in.readableBytes() >= pendingLength) {
            out.add(in.readRetainedSlice(pendingLength));
            pendingLength = -1;
            continue;
          }
          partial = in.alloc().compositeBuffer(Integer.MAX_VALUE);
        }
        int n = Math.min(in.readableBytes(), pendingLength - partial.readableBytes());
        partial.addComponent(true, in.readRetainedSlice(n));
        if (partial.readableBytes() == pendingLength) {
          out.add(partial);
          partial = null;
          pendingLength = -1;
        }
      }
    } catch (DecodeException e) {
      failed = true;
      release();
      throw e;
    }
  }

  /** Releases a partially received frame of {@link #decodeFrames} (call when the stream ends). */
  public void release() {
    if (partial != null) {
      partial.release();
      partial = null;
    }
  }

  /** The varint length of the next frame, as in {@link #readHeaderByte} but without allocating. */
  private void readHeaderByteOnly(byte b) throws DecodeException {
    header[headerLen++] = b;
    if ((b & 0x80) != 0) {
      checkPartialLength();
      return;
    }
    Varint.Decoded d = Varint.decode(header, 0, maxFrameSize);
    headerLen = 0;
    pendingLength = (int) d.value();
  }

  private void checkPartialLength() throws DecodeException {
    if (headerLen == Varint.MAX_BYTES) {
      throw new DecodeException(DecodeException.Reason.TOO_LARGE, "frame length varint too long");
    }
    // lower bound of the value so far: reject early when it already exceeds the limit
    long lower = 0;
    for (int i = 0; i < headerLen; i++) {
      lower |= (long) (header[i] & 0x7F) << (7 * i);
    }
    if (headerLen >= 5 || lower > maxFrameSize) {
      // 5 continuation bytes mean a value of at least 2^35
      throw DecodeException.tooLarge("RPC frame length", ">= " + lower, maxFrameSize);
    }
  }

  /** True when no partial frame is buffered (a clean place for the stream to end). */
  public boolean isIdle() {
    return body == null && headerLen == 0 && partial == null && pendingLength < 0;
  }

  /** Bytes of the frame in progress that are still missing (0 when idle or reading a length). */
  public int pendingBodyBytes() {
    if (pendingLength >= 0) {
      return pendingLength - (partial == null ? 0 : partial.readableBytes());
    }
    return body == null ? 0 : body.length - bodyPos;
  }
}
