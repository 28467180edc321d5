package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.RpcCodec;
import io.leanp2p.codec.gossip.RpcFrameDecoder;
import io.leanp2p.codec.gossip.RpcFrames;
import io.leanp2p.config.RpcLimits;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The gossipsub RPC protobuf decoder with the lean limits ({@link RpcLimits#DEFAULT}) and the
 * stream framing in front of it. Round trip: the encoder is canonical (leanSpec's field order,
 * empty parts omitted), so encode(decode(x)) must be a fixed point of decode-then-encode.
 */
class GossipRpcFuzzTest {

  @FuzzTest
  void rpc(byte[] in) {
    long before = FuzzSupport.allocated();
    Rpc rpc;
    try {
      rpc = RpcCodec.decode(in);
    } catch (DecodeException e) {
      return;
    } finally {
      // every length is checked against the bytes left: allocation stays proportional to the input
      FuzzSupport.checkAllocation(before, FuzzSupport.BASE_ALLOCATION + 64L * in.length, "RPC decode",
          () -> RpcCodec.decode(in));
    }
    byte[] canonical = RpcCodec.encode(rpc);
    Rpc again;
    try {
      again = RpcCodec.decode(canonical);
    } catch (DecodeException e) {
      throw new AssertionError("the encoding of a decoded RPC does not decode", e);
    }
    // not decode(encode(x)) == x: the encoder omits empty fields a peer may send (an empty `from`
    // decodes as present, re-decodes as absent), so the canonical bytes must be the fixed point
    assertThat(RpcCodec.encode(again)).isEqualTo(canonical);
    assertThat(again.publish()).hasSameSizeAs(rpc.publish());
    assertThat(again.subscriptions()).hasSameSizeAs(rpc.subscriptions());
  }

  /**
   * The gossip stream's framing as production runs it: the zero-copy {@code decodeFrames} over the
   * input in 13-byte reads, each frame then decoded from its buffer ({@code RpcCodec.decode(ByteBuf,
   * RpcLimits)}, as {@code GossipStreams} does); checked against the array form over the whole
   * input (same outcome, same frames), every frame buffer and the partial frame released, and each
   * RPC's canonical frame decoding back to itself.
   */
  @FuzzTest
  void frames(byte[] in) {
    int maxFrame = RpcLimits.DEFAULT.maxRpcSize();
    RpcFrameDecoder whole = new RpcFrameDecoder(maxFrame);
    List<byte[]> a = new ArrayList<>();
    String ra = feed(whole, FuzzSupport.buffers(in, in.length + 1), a);
    RpcFrameDecoder split = new RpcFrameDecoder(maxFrame);
    List<ByteBuf> reads = FuzzSupport.buffers(in, 13);
    List<ByteBuf> b = new ArrayList<>();
    String rb = "idle";
    try {
      for (ByteBuf r : reads) {
        split.decodeFrames(r, b);
        FuzzSupport.check(!r.isReadable(), "decodeFrames left bytes of a read unconsumed");
      }
      rb = split.isIdle() ? "idle" : "partial";
    } catch (DecodeException e) {
      rb = "rejected";
    }
    try {
      FuzzSupport.check(rb.equals(ra), "zero-copy framing ends " + rb + ", the array form " + ra);
      FuzzSupport.check(b.size() == a.size(), "zero-copy framing and the array form differ in frame count");
      // bodies already round-tripped in this input: decoding is a pure function of the body, so a
      // repeated body (an input of many empty frames, say) would only repeat the same work
      Set<ByteBuffer> roundTripped = new HashSet<>();
      for (int i = 0; i < a.size(); i++) {
        ByteBuf frame = b.get(i);
        FuzzSupport.check(ByteBufUtil.equals(frame, Unpooled.wrappedBuffer(a.get(i))),
            "a frame differs between the zero-copy and the array form");
        if (!roundTripped.add(ByteBuffer.wrap(a.get(i)))) {
          continue;
        }
        try {
          Rpc rpc = RpcCodec.decode(frame, RpcLimits.DEFAULT);
          byte[] canonical = RpcFrames.encode(rpc);
          RpcFrameDecoder d = new RpcFrameDecoder(maxFrame);
          List<byte[]> back = new ArrayList<>();
          FuzzSupport.check(feed(d, FuzzSupport.buffers(canonical, canonical.length + 1), back).equals("idle"),
              "the frame of a decoded RPC is not one whole frame");
          FuzzSupport.check(back.size() == 1 && Arrays.equals(back.get(0), RpcCodec.encode(rpc)),
              "the frame of a decoded RPC does not carry its encoding");
        } catch (DecodeException e) {
          // a frame whose body is not an RPC: the stream is reset, nothing else
        }
      }
    } finally {
      for (ByteBuf f : b) {
        f.release();
      }
      split.release();
      FuzzSupport.releaseOwned(reads, "RpcFrameDecoder.decodeFrames");
    }
  }

  private static String feed(RpcFrameDecoder d, List<ByteBuf> bufs, List<byte[]> out) {
    try {
      for (ByteBuf b : bufs) {
        d.decode(b, out);
        assertThat(b.isReadable()).isFalse();
      }
      return d.isIdle() ? "idle" : "partial";
    } catch (DecodeException e) {
      return "rejected";
    } finally {
      FuzzSupport.releaseOwned(bufs, "RpcFrameDecoder");
    }
  }
}
