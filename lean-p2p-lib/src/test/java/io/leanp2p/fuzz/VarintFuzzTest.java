package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.multiformats.Varint;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * Unsigned varint (multiformats): the array decoder, the exact decoder and the incremental
 * buffer reader must agree, and everything they accept must be the minimal encoding of its value.
 */
class VarintFuzzTest {

  @FuzzTest
  void decode(byte[] in) {
    Varint.Decoded d;
    try {
      d = Varint.decode(in, 0);
    } catch (DecodeException e) {
      d = null;
    }
    if (d != null) {
      // accepted bytes are exactly the canonical encoding of the value
      assertThat(Varint.encode(d.value())).containsExactly(Arrays.copyOf(in, d.length()));
      assertThat(d.length()).isEqualTo(Varint.encodedLength(d.value()));
    }

    // decodeExact accepts exactly when decode does and nothing follows
    try {
      long v = Varint.decodeExact(in);
      assertThat(d).isNotNull();
      assertThat(v).isEqualTo(d.value());
      assertThat(d.length()).isEqualTo(in.length);
    } catch (DecodeException e) {
      assertThat(d == null || d.length() != in.length).isTrue();
    }

    // the incremental reader with a length limit, as every framed decoder uses it
    long max = in.length == 0 ? 1024 : (in[in.length - 1] & 0xFF) << 10;
    ByteBuf buf = Unpooled.wrappedBuffer(in);
    try {
      long v = Varint.tryRead(buf, max);
      if (v < 0) {
        // incomplete: only possible when the whole input is continuation bytes
        assertThat(buf.readerIndex()).isZero();
        assertThat(d).isNull();
      } else {
        assertThat(d).isNotNull();
        assertThat(v).isEqualTo(d.value()).isLessThanOrEqualTo(max);
        assertThat(buf.readerIndex()).isEqualTo(d.length());
      }
    } catch (DecodeException e) {
      // rejected: malformed, or provably above the limit
      assertThat(d == null || Long.compareUnsigned(d.value(), max) > 0).isTrue();
    } finally {
      buf.release();
    }
  }
}
