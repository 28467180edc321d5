package io.leanp2p.codec.gossip;

import io.leanp2p.multiformats.Varint;
import io.netty.buffer.ByteBuf;

/** Encodes RPCs as stream frames: {@code uvarint(len(rpc)) || rpc}. */
public final class RpcFrames {
  private RpcFrames() {}

  /** Appends one frame for {@code rpc} to {@code out}; returns the number of bytes written. */
  public static int encode(Rpc rpc, ByteBuf out) {
    byte[] body = RpcCodec.encode(rpc);
    int start = out.writerIndex();
    Varint.write(body.length, out);
    out.writeBytes(body);
    return out.writerIndex() - start;
  }

  /** One frame as an array. */
  public static byte[] encode(Rpc rpc) {
    byte[] body = RpcCodec.encode(rpc);
    byte[] out = new byte[Varint.encodedLength(body.length) + body.length];
    int n = Varint.write(body.length, out, 0);
    System.arraycopy(body, 0, out, n, body.length);
    return out;
  }

  /** Size of the frame for an RPC body of {@code bodyLength} bytes. */
  public static int frameSize(int bodyLength) {
    return Varint.encodedLength(bodyLength) + bodyLength;
  }
}
