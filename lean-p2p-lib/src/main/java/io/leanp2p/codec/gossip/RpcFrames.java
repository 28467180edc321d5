package io.leanp2p.codec.gossip;

import io.leanp2p.multiformats.Varint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/** Encodes RPCs as stream frames: {@code uvarint(len(rpc)) || rpc}. */
public final class RpcFrames {
  /**
   * Payloads from this size on are not copied into a frame: the frame refers to the message's own
   * array (shared by every peer the message goes to). Smaller ones are copied, so that a frame of
   * small messages stays one array.
   */
  public static final int SHARE_PAYLOAD_BYTES = 2048;

  private RpcFrames() {}

  /**
   * One encoded frame as a sequence of arrays (their concatenation is the frame). Immutable; the
   * arrays may be shared with other frames and with the messages: never modify them.
   *
   * @param length total bytes
   */
  public record Frame(List<byte[]> parts, int length) {
    /** The frame as a buffer over the same arrays (no copy). */
    public ByteBuf toByteBuf() {
      return parts.size() == 1
          ? Unpooled.wrappedBuffer(parts.get(0))
          : Unpooled.wrappedBuffer(parts.size(), parts.toArray(new byte[0][]));
    }

    /** The frame in one fresh array (tests, tools). */
    public byte[] toArray() {
      byte[] out = new byte[length];
      int pos = 0;
      for (byte[] p : parts) {
        System.arraycopy(p, 0, out, pos, p.length);
        pos += p.length;
      }
      return out;
    }
  }

  /**
   * Encodes {@code rpc} as a frame that shares the payload arrays of its messages of {@link
   * #SHARE_PAYLOAD_BYTES} or more (and each message's own encoding, computed once per message
   * whatever the number of peers). Byte for byte the same as {@link #encode(Rpc)}.
   */
  public static Frame encodeShared(Rpc rpc) {
    int body = RpcCodec.encodedSize(rpc);
    Parts parts = new Parts();
    byte[] prefix = new byte[Varint.encodedLength(body)];
    Varint.write(body, prefix, 0);
    parts.small(prefix);
    if (!rpc.subscriptions().isEmpty()) {
      parts.small(RpcCodec.encode(new Rpc(rpc.subscriptions(), List.of(), null)));
    }
    for (Message m : rpc.publish()) {
      byte[][] around = m.encodedParts();
      parts.small(around[0]);
      byte[] data = m.dataUnsafe();
      if (data.length >= SHARE_PAYLOAD_BYTES) {
        parts.shared(data);
      } else {
        parts.small(data);
      }
      parts.small(around[1]);
    }
    if (rpc.control() != null && !rpc.control().isEmpty()) {
      parts.small(RpcCodec.encode(new Rpc(List.of(), List.of(), rpc.control())));
    }
    Frame f = parts.frame();
    if (f.length() != frameSize(body)) {
      throw new IllegalStateException("frame size mismatch " + f.length() + " != " + frameSize(body));
    }
    return f;
  }

  /** Gathers small pieces into one array between the shared ones. */
  private static final class Parts {
    final List<byte[]> out = new ArrayList<>(3);
    final List<byte[]> pending = new ArrayList<>(4);
    int pendingBytes;
    int total;

    void small(byte[] b) {
      if (b.length > 0) {
        pending.add(b);
        pendingBytes += b.length;
        total += b.length;
      }
    }

    void shared(byte[] b) {
      gather();
      out.add(b);
      total += b.length;
    }

    private void gather() {
      if (pending.size() == 1) {
        out.add(pending.get(0));
      } else if (!pending.isEmpty()) {
        byte[] joined = new byte[pendingBytes];
        int pos = 0;
        for (byte[] p : pending) {
          System.arraycopy(p, 0, joined, pos, p.length);
          pos += p.length;
        }
        out.add(joined);
      }
      pending.clear();
      pendingBytes = 0;
    }

    Frame frame() {
      gather();
      return new Frame(List.copyOf(out), total);
    }
  }

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
