package io.leanp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.testing.Splits;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class VarintTest {

  @Test
  void knownEncodings() throws DecodeException {
    assertThat(Hex.encode(Varint.encode(0))).isEqualTo("00");
    assertThat(Hex.encode(Varint.encode(300))).isEqualTo("ac02");
    assertThat(Hex.encode(Varint.encode(-1L))).isEqualTo("ffffffffffffffffff01");
    assertThat(Varint.decodeExact(Hex.decode("ffffffffffffffffff01"))).isEqualTo(-1L);
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> Varint.decodeExact(Hex.decode("8080")))
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TRUNCATED));
    assertThatThrownBy(() -> Varint.decodeExact(Hex.decode("8080808080808080808080")))
        .isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Varint.decodeExact(Hex.decode("ffffffffffffffffff02")))
        .isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Varint.decodeExact(Hex.decode("8000")))
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.NON_CANONICAL));
    assertThatThrownBy(() -> Varint.decodeExact(Hex.decode("0100")))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void incrementalReadUnderEverySplitAndLimit() throws DecodeException {
    byte[] enc = Varint.encode(10_485_760L);
    for (Splits.Split s : Splits.of(enc)) {
      ByteBuf acc = Unpooled.buffer();
      try {
        long got = -1;
        for (byte[] piece : s.pieces()) {
          acc.writeBytes(piece);
          got = Varint.tryRead(acc, 10_485_760L);
          if (got >= 0) {
            break;
          }
        }
        assertThat(got).as(s.name()).isEqualTo(10_485_760L);
        assertThat(acc.readableBytes()).isZero();
      } finally {
        acc.release();
      }
    }
    ByteBuf tooBig = Unpooled.wrappedBuffer(Hex.decode("81808005"));
    try {
      assertThatThrownBy(() -> Varint.tryRead(tooBig, 10_485_760L)).isInstanceOf(DecodeException.class);
    } finally {
      tooBig.release();
    }
  }

  @Property
  void roundTrip(@ForAll long value) throws DecodeException {
    byte[] enc = Varint.encode(value);
    assertThat(enc.length).isEqualTo(Varint.encodedLength(value)).isLessThanOrEqualTo(10);
    assertThat(Varint.decodeExact(enc)).isEqualTo(value);
  }

  @Property
  void garbageNeverThrowsAnythingElse(@ForAll("garbage") byte[] in) {
    try {
      Varint.decode(in, 0);
    } catch (DecodeException expected) {
      assertThat(expected.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(16);
  }
}
