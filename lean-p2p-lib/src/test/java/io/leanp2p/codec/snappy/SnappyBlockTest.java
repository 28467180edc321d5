package io.leanp2p.codec.snappy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.DecodeException.Reason;
import io.leanp2p.util.Hex;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnappyBlockTest {
  private static final int MAX = 10 * 1024 * 1024;

  @Test
  void roundTripsVariousSizes() throws DecodeException {
    Random rnd = new Random(1);
    for (int size : new int[] {0, 1, 2, 31, 64, 1000, 65536, 65537, 300_000}) {
      byte[] data = new byte[size];
      for (int i = 0; i < size; i++) {
        data[i] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt() : i % 7);
      }
      byte[] c = SnappyBlock.compress(data);
      assertThat(SnappyBlock.decompress(c, MAX)).isEqualTo(data);
      assertThat(c.length).isLessThanOrEqualTo(SnappyBlock.maxCompressedLength(size));
    }
  }

  @Test
  void decodesKnownVectors() throws DecodeException {
    assertThat(SnappyBlock.decompress(Hex.decode("0x00"), MAX)).isEmpty();
    assertThat(SnappyBlock.decompress(Hex.decode("0x010042"), MAX)).containsExactly(0x42);
    assertThat(new String(SnappyBlock.decompress(
        Hex.decode("0x103c48656c6c6f2c20457468657265756d21"), MAX)))
        .isEqualTo("Hello, Ethereum!");
  }

  @Test
  void decodesSlice() throws DecodeException {
    byte[] buf = Hex.decode("0xaabb010042cc");
    assertThat(SnappyBlock.decompress(buf, 2, 3, MAX)).containsExactly(0x42);
  }

  @Test
  void rejectsTrailingBytes() {
    assertThatThrownBy(() -> SnappyBlock.decompress(Hex.decode("0x00dead"), MAX))
        .isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> SnappyBlock.decompress(Hex.decode("0x01004200"), MAX))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void rejectsShortOutput() {
    // declares 2 bytes, literal holds 1
    assertThatThrownBy(() -> SnappyBlock.decompress(Hex.decode("0x020042"), MAX))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void rejectsEmptyAndTruncatedHeader() {
    assertThatThrownBy(() -> SnappyBlock.decompress(new byte[0], MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
    assertThatThrownBy(() -> SnappyBlock.decompress(Hex.decode("0x80"), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
  }

  @Test
  void rejectsOversizedHeaderBeforeAllocating() {
    // declares 2^32-1 bytes: must fail on the header, not with an OOM
    assertThatThrownBy(() -> SnappyBlock.decompress(Hex.decode("0xffffffff0f00"), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    assertThatThrownBy(() -> SnappyBlock.decompress(Hex.decode("0x0b0042"), 10))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    assertThatThrownBy(() -> SnappyBlock.decompress(Hex.decode("0x808080808001"), Integer.MAX_VALUE))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void rejectsNonMinimalHeader() {
    assertThatThrownBy(() -> SnappyBlock.decompress(Hex.decode("0x8100" + "0042"), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NON_CANONICAL));
  }

  @Test
  void rejectsBadCopyOffset() {
    // header 4, copy-1 tag (len 4, offset 1) with no preceding output
    assertThatThrownBy(() -> SnappyBlock.decompress(Hex.decode("0x040101"), MAX))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void garbageNeverEscapesAsRuntimeException() {
    Random rnd = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] g = new byte[rnd.nextInt(40)];
      rnd.nextBytes(g);
      try {
        byte[] out = SnappyBlock.decompress(g, 4096);
        assertThat(Arrays.equals(SnappyBlock.decompress(SnappyBlock.compress(out), 4096), out)).isTrue();
      } catch (DecodeException expected) {
        assertThat(expected.reason()).isNotNull();
      }
    }
  }

  /** The cheap validity check agrees with the strict decoder on valid, corrupted and random blocks. */
  @net.jqwik.api.Property(tries = 3000)
  void isValidAgreesWithDecompress(@net.jqwik.api.ForAll("blocks") byte[] block) {
    boolean decodes;
    try {
      SnappyBlock.decompress(block, 1 << 16);
      decodes = true;
    } catch (DecodeException e) {
      decodes = false;
    }
    assertThat(SnappyBlock.isValid(block, 0, block.length, 1 << 16)).isEqualTo(decodes);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<byte[]> blocks() {
    net.jqwik.api.Arbitrary<byte[]> raw = net.jqwik.api.Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
    net.jqwik.api.Arbitrary<byte[]> valid = raw.map(SnappyBlock::compress);
    net.jqwik.api.Arbitrary<byte[]> corrupted = net.jqwik.api.Combinators.combine(valid, net.jqwik.api.Arbitraries.integers().between(0, 1 << 20),
        net.jqwik.api.Arbitraries.integers().between(1, 255)).as((b, pos, x) -> {
          byte[] c = b.clone();
          c[pos % c.length] ^= (byte) (int) x;
          return c;
        });
    net.jqwik.api.Arbitrary<byte[]> truncated = valid.filter(b -> b.length > 1).map(b -> Arrays.copyOf(b, b.length - 1));
    net.jqwik.api.Arbitrary<byte[]> trailing = valid.map(b -> Arrays.copyOf(b, b.length + 1));
    return net.jqwik.api.Arbitraries.oneOf(raw, valid, corrupted, truncated, trailing);
  }
}
