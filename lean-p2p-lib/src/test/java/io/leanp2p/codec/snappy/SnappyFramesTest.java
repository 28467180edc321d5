package io.leanp2p.codec.snappy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.testing.Splits;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.DecodeException.Reason;
import io.leanp2p.util.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.SnappyFramedInputStream;

class SnappyFramesTest {
  private static final int MAX = 10 * 1024 * 1024;
  private static final String IDENT = "ff060000734e61507059";

  static byte[] sample(int size, long seed) {
    Random rnd = new Random(seed);
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt() : i / 5);
    }
    return data;
  }

  @Test
  void maskedCrcMatchesSpecVectors() {
    // crc32c(00 x 32) = 0x8A9136AA, masked LE bytes fa ff d7 0f
    int masked = SnappyFrames.maskedCrc32c(new byte[32], 0, 32);
    assertThat(masked).isEqualTo(0x0fd7fffa);
    assertThat(SnappyFrames.mask(0x8A9136AA)).isEqualTo(0x0fd7fffa);
    byte[] ff = new byte[32];
    Arrays.fill(ff, (byte) 0xff);
    assertThat(SnappyFrames.maskedCrc32c(ff, 0, 32)).isEqualTo(SnappyFrames.mask(0x62A8AB43));
  }

  @Test
  void encodesSmallInputAsUncompressedChunk() {
    assertThat(Hex.encode(SnappyFrames.encode(new byte[] {1, 2, 3, 4})))
        .isEqualTo(IDENT + "01080000393d6bbc01020304");
  }

  @Test
  void encodesEmptyAsBareIdentifier() throws DecodeException {
    assertThat(Hex.encode(SnappyFrames.encode(new byte[0]))).isEqualTo(IDENT);
    assertThat(SnappyFrames.decode(Hex.decode(IDENT), MAX)).isEmpty();
  }

  @Test
  void roundTripsAcrossChunkBoundaries() throws Exception {
    for (int size : new int[] {1, 65535, 65536, 65537, 3 * 65536 + 17, 600_000}) {
      byte[] data = sample(size, size);
      byte[] framed = SnappyFrames.encode(data);
      assertThat(framed.length).isLessThanOrEqualTo(SnappyFrames.maxEncodedLength(size));
      assertThat(SnappyFrames.decode(framed, MAX)).isEqualTo(data);
      // snappy-java's own framed reader agrees
      try (var in = new SnappyFramedInputStream(new java.io.ByteArrayInputStream(framed))) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
      ByteBuf buf = Unpooled.buffer(3);
      try {
        SnappyFrames.encode(data, buf);
        assertThat(buf.readableBytes()).isEqualTo(framed.length);
        byte[] viaBuf = new byte[buf.readableBytes()];
        buf.readBytes(viaBuf);
        assertThat(viaBuf).isEqualTo(framed);
      } finally {
        buf.release();
      }
      ByteBuf direct = Unpooled.directBuffer(8);
      try {
        SnappyFrames.encode(data, direct);
        byte[] viaDirect = new byte[direct.readableBytes()];
        direct.readBytes(viaDirect);
        assertThat(viaDirect).isEqualTo(framed);
      } finally {
        direct.release();
      }
    }
  }

  @Test
  void decodesSnappyJavaFramedOutput() throws Exception {
    byte[] data = sample(200_000, 7);
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (var out = new org.xerial.snappy.SnappyFramedOutputStream(bos)) {
      out.write(data);
    }
    assertThat(SnappyFrames.decode(bos.toByteArray(), MAX)).isEqualTo(data);
  }

  @Test
  void skipsPaddingAndRepeatedIdentifier() throws DecodeException {
    String body = "01080000393d6bbc01020304";
    byte[] framed = Hex.decode(IDENT + "fe030000aabbcc" + IDENT + body + "80000000");
    assertThat(SnappyFrames.decode(framed, MAX)).containsExactly(1, 2, 3, 4);
  }

  @Test
  void rejectsMalformedStreams() {
    String body = "01080000393d6bbc01020304";
    assertReason("", Reason.TRUNCATED);
    assertReason("00000000000000000000", Reason.MALFORMED);
    assertReason(IDENT + "03000000", Reason.UNSUPPORTED);
    assertReason(IDENT + "7f000000", Reason.UNSUPPORTED);
    assertReason("ff060000734e61507058", Reason.MALFORMED); // wrong identifier body
    assertReason("ff050000734e615070", Reason.MALFORMED); // wrong identifier length
    assertReason(IDENT + "01080000393d6bbd01020304", Reason.BAD_CHECKSUM);
    assertReason(IDENT + body.substring(0, body.length() - 2), Reason.TRUNCATED);
    assertReason(IDENT + "010300", Reason.TRUNCATED);
    assertReason(IDENT + "01030000aabbcc", Reason.MALFORMED); // data chunk shorter than its CRC
    assertReason(IDENT + "01050001", Reason.TOO_LARGE); // uncompressed chunk > 64 KiB
    assertReason(IDENT + "00ffff01", Reason.TOO_LARGE); // compressed chunk body too long
  }

  @Test
  void rejectsTotalAboveLimitBeforeDecompressing() {
    byte[] framed = SnappyFrames.encode(new byte[100]);
    assertThatThrownBy(() -> SnappyFrames.decode(framed, 99))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
  }

  @Test
  void rejectsCompressedChunkDeclaringMoreThan64KiB() {
    // compressed chunk whose snappy header says 65537 bytes
    byte[] block = SnappyBlock.compress(new byte[65537]);
    byte[] chunk = new byte[8 + block.length];
    chunk[0] = 0;
    int len = 4 + block.length;
    chunk[1] = (byte) len;
    chunk[2] = (byte) (len >>> 8);
    chunk[3] = (byte) (len >>> 16);
    System.arraycopy(block, 0, chunk, 8, block.length);
    byte[] framed = concat(Hex.decode(IDENT), chunk);
    assertThatThrownBy(() -> SnappyFrames.decode(framed, MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
  }

  @Test
  void incrementalDecoderUnderEverySplit() throws DecodeException {
    byte[] data = sample(70_000, 3);
    byte[] framed = SnappyFrames.encode(data);
    for (Splits.Split split : Splits.of(framed, 64, 10)) {
      byte[] out = new byte[data.length + 2];
      SnappyFrameDecoder d = new SnappyFrameDecoder();
      d.reset(out, 1, data.length, Long.MAX_VALUE);
      int i = 0;
      for (byte[] piece : split.pieces()) {
        // alternate heap and direct (no backing array) buffers
        ByteBuf b = i++ % 2 == 0 ? Unpooled.wrappedBuffer(piece)
            : Unpooled.directBuffer(Math.max(1, piece.length)).writeBytes(piece);
        try {
          d.decode(b);
          assertThat(b.readableBytes()).as(split.name()).isZero();
        } finally {
          b.release();
        }
      }
      assertThat(d.isComplete()).as(split.name()).isTrue();
      assertThat(d.consumed()).isEqualTo(framed.length);
      assertThat(Arrays.copyOfRange(out, 1, 1 + data.length)).as(split.name()).isEqualTo(data);
    }
  }

  @Test
  void incrementalDecoderStopsAtExpectedLengthAndReadsDirectBuffers() throws DecodeException {
    byte[] data = "hello hello hello hello".getBytes(StandardCharsets.UTF_8);
    byte[] framed = concat(SnappyFrames.encode(data), new byte[] {0x7e, 0x7f});
    ByteBuf direct = Unpooled.directBuffer(framed.length);
    try {
      direct.writeBytes(framed);
      byte[] out = new byte[data.length];
      SnappyFrameDecoder d = new SnappyFrameDecoder();
      d.reset(out, 0, data.length, Long.MAX_VALUE);
      assertThat(d.decode(direct)).isTrue();
      assertThat(out).isEqualTo(data);
      assertThat(direct.readableBytes()).isEqualTo(2);
    } finally {
      direct.release();
    }
  }

  @Test
  void incrementalDecoderEnforcesFramedByteBudgetOnHeader() {
    byte[] framed = SnappyFrames.encode(sample(1000, 1));
    byte[] out = new byte[1000];
    SnappyFrameDecoder d = new SnappyFrameDecoder();
    d.reset(out, 0, 1000, framed.length - 1);
    // only identifier + the 4-byte header of the data chunk: rejected before the body arrives
    byte[] head = Arrays.copyOf(framed, 14);
    assertThatThrownBy(() -> d.feed(head, 0, head.length))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
  }

  @Test
  void incrementalDecoderRejectsChunkBeyondExpected() {
    byte[] framed = SnappyFrames.encode(sample(1000, 1));
    SnappyFrameDecoder d = new SnappyFrameDecoder();
    d.reset(new byte[999], 0, 999, Long.MAX_VALUE);
    assertThatThrownBy(() -> d.feed(framed, 0, framed.length))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
  }

  @Property
  void roundTripProperty(@ForAll("payloads") byte[] data) throws DecodeException {
    assertThat(SnappyFrames.decode(SnappyFrames.encode(data), MAX)).isEqualTo(data);
    assertThat(SnappyBlock.decompress(SnappyBlock.compress(data), MAX)).isEqualTo(data);
  }

  @Property
  void garbageIsRejectedOrDecodesConsistently(@ForAll("garbage") byte[] g) {
    try {
      byte[] out = SnappyFrames.decode(g, 1 << 16);
      assertThat(out.length).isLessThanOrEqualTo(1 << 16);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
    try {
      byte[] out = SnappyBlock.decompress(g, 1 << 16);
      assertThat(SnappyBlock.decompress(SnappyBlock.compress(out), 1 << 16)).isEqualTo(out);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Property
  void mutatedFramesAreDetected(@ForAll("payloads") byte[] data,
      @ForAll("positions") int pos, @ForAll byte flip) {
    byte[] framed = SnappyFrames.encode(data);
    java.util.Set<Integer> typeBytes = new java.util.HashSet<>();
    for (int i = 0; i < framed.length; ) {
      typeBytes.add(i);
      i += 4 + ((framed[i + 1] & 0xFF) | (framed[i + 2] & 0xFF) << 8 | (framed[i + 3] & 0xFF) << 16);
    }
    int p = Math.floorMod(pos, framed.length);
    framed[p] ^= (byte) (flip | 1);
    try {
      byte[] out = SnappyFrames.decode(framed, MAX);
      if (Arrays.equals(out, data)) {
        // a flip inside compressed data can give another valid encoding of the same bytes (e.g. a
        // copy offset moved to an identical earlier run): the CRC of the output still matches,
        // and nothing was corrupted
        return;
      }
      // CRCs protect the payload: only turning a data chunk into a skippable one goes unnoticed
      assertThat(typeBytes).as("corruption at %d went unnoticed", p).contains(p);
      assertThat(out.length).isLessThan(data.length);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<byte[]> payloads() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> repetitive = Arbitraries.bytes().between((byte) 0, (byte) 3)
        .array(byte[].class).ofMaxSize(2000);
    return Arbitraries.oneOf(random, repetitive);
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    Arbitrary<byte[]> withIdent = Arbitraries.bytes().array(byte[].class).ofMaxSize(40)
        .map(b -> concat(Hex.decode(IDENT), b));
    return Arbitraries.oneOf(random, withIdent);
  }

  @Provide
  Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, 1 << 20);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static void assertReason(String hex, Reason reason) {
    assertThatThrownBy(() -> SnappyFrames.decode(Hex.decode(hex), MAX))
        .as(hex)
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).as(hex + " " + e.getMessage()).isEqualTo(reason));
  }
}
