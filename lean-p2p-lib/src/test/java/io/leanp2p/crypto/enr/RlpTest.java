package io.leanp2p.crypto.enr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RlpTest {
  static final int MAX = 4096;

  /** Structural re-encoding, independent of the decoder's stored bytes. */
  static byte[] reencode(Rlp.Item item) {
    if (!item.isList()) {
      return Rlp.encodeBytes(item.bytes());
    }
    List<byte[]> children = new ArrayList<>();
    for (Rlp.Item c : item.items()) {
      children.add(reencode(c));
    }
    return Rlp.encodeList(children);
  }

  @Test
  void knownEncodings() throws DecodeException {
    assertThat(Hex.encode(Rlp.encodeBytes("dog".getBytes()))).isEqualTo("83646f67");
    assertThat(Hex.encode(Rlp.encodeBytes(new byte[0]))).isEqualTo("80");
    assertThat(Hex.encode(Rlp.encodeBytes(new byte[] {0}))).isEqualTo("00");
    assertThat(Hex.encode(Rlp.encodeBytes(new byte[] {(byte) 0x80}))).isEqualTo("8180");
    assertThat(Hex.encode(Rlp.encodeUnsigned(0))).isEqualTo("80");
    assertThat(Hex.encode(Rlp.encodeUnsigned(15))).isEqualTo("0f");
    assertThat(Hex.encode(Rlp.encodeUnsigned(1024))).isEqualTo("820400");
    assertThat(Hex.encode(Rlp.encodeList(List.of()))).isEqualTo("c0");
    byte[] lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit".getBytes();
    assertThat(Hex.encode(Rlp.encodeBytes(lorem))).startsWith("b838");
    // the set-theoretic representation of three
    byte[] three = Hex.decode("c7c0c1c0c3c0c1c0");
    Rlp.Item item = Rlp.decode(three, MAX);
    assertThat(item.isList()).isTrue();
    assertThat(item.items()).hasSize(3);
    assertThat(reencode(item)).isEqualTo(three);
    assertThat(Rlp.decode(Hex.decode("83646f67"), MAX).bytes()).isEqualTo("dog".getBytes());
    assertThat(Rlp.decode(Rlp.encodeBytes(lorem), MAX).bytes()).isEqualTo(lorem);
  }

  static void assertReason(String hex, DecodeException.Reason reason) {
    assertThatThrownBy(() -> Rlp.decode(Hex.decode(hex), MAX))
        .as(hex)
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).as(hex).isEqualTo(reason));
  }

  @Test
  void rejectsNonCanonicalAndBroken() {
    assertReason("8105", DecodeException.Reason.NON_CANONICAL);
    assertReason("b80161", DecodeException.Reason.NON_CANONICAL);
    assertReason("b8" + "37" + "61".repeat(55), DecodeException.Reason.NON_CANONICAL);
    assertReason("b90038" + "61".repeat(56), DecodeException.Reason.NON_CANONICAL);
    assertReason("f800", DecodeException.Reason.NON_CANONICAL);
    assertReason("", DecodeException.Reason.TRUNCATED);
    assertReason("83646f", DecodeException.Reason.TRUNCATED);
    assertReason("c2c3", DecodeException.Reason.TRUNCATED);
    assertReason("b8", DecodeException.Reason.TRUNCATED);
    assertReason("bfffffffffffffffff", DecodeException.Reason.TOO_LARGE);
    assertReason("b9ffff", DecodeException.Reason.TRUNCATED);
    assertReason("8000", DecodeException.Reason.TRAILING_BYTES);
    assertReason("c0c0", DecodeException.Reason.TRAILING_BYTES);
    String deep = "c1".repeat(Rlp.MAX_DEPTH + 1) + "c0";
    assertThatThrownBy(() -> Rlp.decode(Hex.decode(deep), MAX)).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Rlp.decode(new byte[MAX + 1], MAX))
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TOO_LARGE));
  }

  @Property
  void garbageOnlyDecodeExceptionAndAcceptedInputIsCanonical(@ForAll("garbage") byte[] in) {
    try {
      Rlp.Item item = Rlp.decode(in, MAX);
      assertThat(reencode(item)).isEqualTo(in);
      assertThat(item.encoded()).isEqualTo(in);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(80),
        // lots of small headers so that structure is often nearly valid
        Arbitraries.of((byte) 0xc0, (byte) 0xc1, (byte) 0xc2, (byte) 0xc3, (byte) 0x80, (byte) 0x81,
                (byte) 0x01, (byte) 0x7f, (byte) 0xb8, (byte) 0xf8, (byte) 0x38, (byte) 0x00)
            .array(byte[].class).ofMaxSize(12));
  }

  @Property
  void roundTrip(@ForAll("trees") byte[] encoded) throws DecodeException {
    Rlp.Item item = Rlp.decode(encoded, 1 << 20);
    assertThat(reencode(item)).isEqualTo(encoded);
  }

  @Provide
  Arbitrary<byte[]> trees() {
    Arbitrary<byte[]> leaf = Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(3),
        Arbitraries.bytes().array(byte[].class).ofMinSize(50).ofMaxSize(300))
        .map(Rlp::encodeBytes);
    return Arbitraries.recursive(() -> leaf, t -> t.list().ofMaxSize(4).map(Rlp::encodeList), 0, 4);
  }
}
