package io.leanp2p.transport.multistream;

import io.leanp2p.multiformats.Varint;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;

/**
 * Incremental decoder of multistream messages from a cumulation buffer. It never allocates
 * more than {@link Multistream#MAX_MESSAGE} bytes for one message and checks the declared length
 * before reading the body.
 */
final class MultistreamLineDecoder {
  private MultistreamLineDecoder() {}

  /**
   * Reads one whole message from {@code in} and returns its bytes without the newline, or returns
   * null (reader index unchanged) when {@code in} does not yet hold a whole message.
   */
  static byte[] next(ByteBuf in) throws DecodeException {
    int start = in.readerIndex();
    long len = Varint.tryRead(in, Multistream.MAX_MESSAGE);
    if (len < 0) {
      return null;
    }
    if (len == 0) {
      throw DecodeException.malformed("empty multistream message");
    }
    if (in.readableBytes() < len) {
      in.readerIndex(start);
      return null;
    }
    int n = (int) len;
    if (in.getByte(in.readerIndex() + n - 1) != '\n') {
      throw DecodeException.malformed("multistream message does not end with a newline");
    }
    byte[] body = new byte[n - 1];
    in.readBytes(body);
    in.skipBytes(1);
    return body;
  }
}
