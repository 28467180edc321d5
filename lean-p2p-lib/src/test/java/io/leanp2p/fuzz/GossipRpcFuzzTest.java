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

  @FuzzTest
  void frames(byte[] in) {
    int maxFrame = RpcLimits.DEFAULT.maxRpcSize();
    RpcFrameDecoder whole = new RpcFrameDecoder(maxFrame);
    RpcFrameDecoder split = new RpcFrameDecoder(maxFrame);
    List<byte[]> a = new ArrayList<>();
    List<byte[]> b = new ArrayList<>();
    String ra = feed(whole, FuzzSupport.buffers(in, in.length + 1), a);
    String rb = feed(split, FuzzSupport.buffers(in, 13), b);
    assertThat(rb).isEqualTo(ra);
    assertThat(b).hasSameSizeAs(a);
    // bodies already round-tripped in this input: decoding is a pure function of the body and each
    // round trip uses a fresh decoder, so a repeated body (an input of many empty frames, say)
    // would only repeat the same work with the same outcome
    Set<ByteBuffer> roundTripped = new HashSet<>();
    for (int i = 0; i < a.size(); i++) {
      FuzzSupport.check(Arrays.equals(b.get(i), a.get(i)), "a frame differs between the whole and the split input");
      if (!roundTripped.add(ByteBuffer.wrap(a.get(i)))) {
        continue;
      }
      // each frame body goes on to the RPC decoder, as the gossip stream does
      try {
        Rpc rpc = RpcCodec.decode(a.get(i));
        byte[] frame = RpcFrames.encode(rpc);
        RpcFrameDecoder d = new RpcFrameDecoder(maxFrame);
        List<byte[]> back = new ArrayList<>();
        assertThat(feed(d, FuzzSupport.buffers(frame, frame.length + 1), back)).isEqualTo("idle");
        assertThat(back).hasSize(1);
        assertThat(back.get(0)).isEqualTo(RpcCodec.encode(rpc));
      } catch (DecodeException e) {
        // a frame whose body is not an RPC: the stream is reset, nothing else
      }
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
