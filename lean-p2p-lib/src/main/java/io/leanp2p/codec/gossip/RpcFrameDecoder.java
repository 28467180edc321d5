package io.leanp2p.codec.gossip;

import io.leanp2p.multiformats.Varint;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental decoder of the gossipsub stream framing {@code uvarint(len) || rpc_bytes},
 * repeated. Feed it buffers as they arrive in any fragmentation; it returns each complete frame
 * body as a {@code byte[]} (copied at the boundary, so no pooled memory is retained).
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
      return;
    }
    Varint.Decoded d = Varint.decode(header, 0, maxFrameSize);
    headerLen = 0;
    body = new byte[(int) d.value()];
    bodyPos = 0;
  }

  /** True when no partial frame is buffered (a clean place for the stream to end). */
  public boolean isIdle() {
    return body == null && headerLen == 0;
  }

  /** Bytes of the frame in progress that are still missing (0 when idle or reading a length). */
  public int pendingBodyBytes() {
    return body == null ? 0 : body.length - bodyPos;
  }
}
