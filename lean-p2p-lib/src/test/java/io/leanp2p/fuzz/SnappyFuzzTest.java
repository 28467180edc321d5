package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.codec.snappy.SnappyFrameDecoder;
import io.leanp2p.codec.snappy.SnappyFrames;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Snappy block (gossip payloads) and snappy framing (req/resp payloads). Besides "value or
 * DecodeException": the cheap validity check agrees with decompression, what decodes survives a
 * re-encode, and the incremental frame decoder agrees with the whole-buffer one on any split.
 */
class SnappyFuzzTest {
  /** Small enough to make the allocation budget meaningful, large enough for real chunks. */
  static final int MAX_UNCOMPRESSED = 256 * 1024;

  @FuzzTest
  void block(byte[] in) {
    long before = FuzzSupport.allocated();
    byte[] out;
    try {
      out = SnappyBlock.decompress(in, MAX_UNCOMPRESSED);
    } catch (DecodeException e) {
      out = null;
    }
    FuzzSupport.checkAllocation(before, FuzzSupport.BASE_ALLOCATION + MAX_UNCOMPRESSED + 4L * in.length,
        "snappy block decode",
        () -> SnappyBlock.decompress(in, MAX_UNCOMPRESSED));
    boolean valid = SnappyBlock.isValid(in, 0, in.length, MAX_UNCOMPRESSED);
    if (out != null) {
      assertThat(valid).as("isValid of a block that decompresses").isTrue();
      try {
        assertThat(SnappyBlock.decompress(SnappyBlock.compress(out), MAX_UNCOMPRESSED)).isEqualTo(out);
      } catch (DecodeException e) {
        throw new AssertionError("re-encoded block does not decode", e);
      }
    }
  }

  @FuzzTest
  void frames(byte[] in) {
    long before = FuzzSupport.allocated();
    byte[] whole;
    try {
      whole = SnappyFrames.decode(in, MAX_UNCOMPRESSED);
    } catch (DecodeException e) {
      whole = null;
    }
    FuzzSupport.checkAllocation(before, FuzzSupport.BASE_ALLOCATION + MAX_UNCOMPRESSED + 4L * in.length,
        "snappy frame decode",
        () -> SnappyFrames.decode(in, MAX_UNCOMPRESSED));
    if (whole == null) {
      return;
    }
    try {
      assertThat(SnappyFrames.decode(SnappyFrames.encode(whole), MAX_UNCOMPRESSED)).isEqualTo(whole);
    } catch (DecodeException e) {
      throw new AssertionError("re-encoded frames do not decode", e);
    }
    // the incremental decoder, told the size, reproduces the same bytes from any split
    byte[] inc = new byte[whole.length];
    SnappyFrameDecoder d = new SnappyFrameDecoder();
    d.reset(inc, 0, inc.length, Long.MAX_VALUE);
    List<ByteBuf> bufs = FuzzSupport.buffers(in, 97);
    try {
      for (ByteBuf b : bufs) {
        // a call stops as soon as the stream is complete; a further call goes on with what follows
        // (chunks that produce nothing), as the req/resp decoders do with the bytes after a chunk
        while (b.isReadable()) {
          int at = b.readerIndex();
          d.decode(b);
          assertThat(b.readerIndex()).as("frame decoder makes progress").isGreaterThan(at);
        }
      }
    } catch (DecodeException e) {
      throw new AssertionError("incremental decoder rejects what the whole decoder accepts", e);
    } finally {
      FuzzSupport.releaseOwned(bufs, "SnappyFrameDecoder");
    }
    assertThat(d.isComplete()).isTrue();
    assertThat(inc).isEqualTo(whole);
  }
}
