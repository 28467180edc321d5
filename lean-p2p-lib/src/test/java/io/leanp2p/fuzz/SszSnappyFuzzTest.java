package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.codec.sszsnappy.RequestDecoder;
import io.leanp2p.codec.sszsnappy.ResponseChunk;
import io.leanp2p.lean.ResponseCode;
import io.leanp2p.codec.sszsnappy.ResponseDecoder;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * The req/resp {@code ssz_snappy} request and response-chunk decoders, fed the way a stream
 * delivers bytes. Both must give the same result for the whole input and for any split of it,
 * never release the caller's buffers, and what they decode must survive a re-encode.
 */
class SszSnappyFuzzTest {
  /** The limit used here; the production limit is {@link SszSnappy#MAX_PAYLOAD}. */
  static final int MAX_LENGTH = 128 * 1024;

  @FuzzTest
  void request(byte[] in) {
    long before = FuzzSupport.allocated();
    Object whole = decodeRequest(List.of(in));
    FuzzSupport.checkAllocation(before,
        FuzzSupport.BASE_ALLOCATION + 2L * MAX_LENGTH + 4L * in.length, "request decode",
        () -> decodeRequest(List.of(in)));
    Object split = decodeRequest(FuzzSupport.pieces(in, 61));
    assertThat(describe(split)).isEqualTo(describe(whole));
    if (whole instanceof byte[] ssz) {
      Object again = decodeRequest(List.of(SszSnappy.encodeRequest(ssz)));
      assertThat(again).isInstanceOf(byte[].class);
      assertThat((byte[]) again).isEqualTo(ssz);
    }
  }

  /** The decoded SSZ, or the reason the request was rejected (a String), or null if incomplete. */
  private static Object decodeRequest(List<byte[]> pieces) {
    RequestDecoder d = new RequestDecoder(MAX_LENGTH);
    List<ByteBuf> bufs = new ArrayList<>();
    byte[] result = null;
    try {
      for (byte[] p : pieces) {
        ByteBuf b = Unpooled.wrappedBuffer(p);
        bufs.add(b);
        byte[] r = d.decode(b);
        if (r != null) {
          assertThat(result).as("a request completes once").isNull();
          result = r;
        }
        // the completing call leaves what follows; a later call rejects it
        if (result != null && b.isReadable()) {
          d.decode(b);
        }
      }
      d.endOfStream();
      return result;
    } catch (DecodeException e) {
      return "rejected";
    } finally {
      FuzzSupport.releaseOwned(bufs, "RequestDecoder");
    }
  }

  @FuzzTest
  void response(byte[] in) {
    long before = FuzzSupport.allocated();
    List<Object> whole = decodeResponse(List.of(in));
    FuzzSupport.checkAllocation(before,
        FuzzSupport.BASE_ALLOCATION + 2L * MAX_LENGTH + 64L * in.length, "response decode",
        () -> decodeResponse(List.of(in)));
    List<Object> split = decodeResponse(FuzzSupport.pieces(in, 61));
    if (!sameOutcome(split, whole)) {
      // the readable form only for the report (a payload may be 128 KiB)
      assertThat(describeAll(split)).isEqualTo(describeAll(whole));
    }
    // every decoded chunk re-encodes to a chunk that decodes to itself
    for (Object o : whole) {
      if (o instanceof ResponseChunk c) {
        byte[] enc = SszSnappy.encodeResponseChunk(ResponseCode.fromWire(c.wireCode()), c.payload());
        List<Object> again = decodeResponse(List.of(enc));
        assertThat(again).hasSize(2); // the chunk, then "at boundary"
        ResponseChunk back = (ResponseChunk) again.get(0);
        assertThat(back.payload()).isEqualTo(c.payload());
        assertThat(back.code()).isEqualTo(c.code());
      }
    }
  }

  /** The chunks decoded, then "rejected", "at boundary" or "partial". */
  private static List<Object> decodeResponse(List<byte[]> pieces) {
    ResponseDecoder d = new ResponseDecoder(MAX_LENGTH);
    List<Object> out = new ArrayList<>();
    List<ByteBuf> bufs = new ArrayList<>();
    try {
      for (byte[] p : pieces) {
        ByteBuf b = Unpooled.wrappedBuffer(p);
        bufs.add(b);
        d.decode(b, out::add);
        assertThat(b.isReadable()).as("response decoder consumes all it is given").isFalse();
      }
      assertThat(d.chunks()).isEqualTo(out.size());
      out.add(d.atBoundary() ? "at boundary" : "partial");
    } catch (DecodeException e) {
      out.add("rejected");
    } finally {
      FuzzSupport.releaseOwned(bufs, "ResponseDecoder");
    }
    return out;
  }

  private static String describe(Object o) {
    return o instanceof byte[] b ? io.leanp2p.util.Hex.encode(b) : String.valueOf(o);
  }

  /** The same chunks (code, payload) and the same end, compared without hex-encoding payloads. */
  private static boolean sameOutcome(List<Object> a, List<Object> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      if (x instanceof ResponseChunk c && y instanceof ResponseChunk d) {
        // (no Arrays.equals with a null argument: Jazzer 0.26.0's hook on it crashes, docs/fuzzing.md)
        if (c.wireCode() != d.wireCode() || c.payload() == null || d.payload() == null
            || !java.util.Arrays.equals(c.payload(), d.payload())) {
          return false;
        }
      } else if (!x.equals(y)) {
        return false;
      }
    }
    return true;
  }

  private static List<String> describeAll(List<Object> l) {
    List<String> out = new ArrayList<>();
    for (Object o : l) {
      out.add(o instanceof ResponseChunk c
          ? c.wireCode() + "/" + io.leanp2p.util.Hex.encode(c.payload()) : String.valueOf(o));
    }
    return out;
  }
}
