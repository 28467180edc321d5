package io.leanp2p.codec.sszsnappy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.leanp2p.testing.Splits;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.DecodeException.Reason;
import io.leanp2p.util.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import io.leanp2p.lean.ResponseCode;

class SszSnappyTest {
  private static final String IDENT = "ff060000734e61507059";
  private static final int MAX = SszSnappy.MAX_PAYLOAD;

  // ---------------------------------------------------------------- helpers (also used elsewhere)

  /** Feeds pieces to a request decoder; returns the request, asserting it appears exactly once. */
  static byte[] decodeRequest(List<byte[]> pieces, int max) throws DecodeException {
    RequestDecoder d = new RequestDecoder(max);
    byte[] result = null;
    for (int i = 0; i < pieces.size(); i++) {
      ByteBuf b = buffer(pieces.get(i), i);
      byte[] r;
      try {
        r = d.decode(b);
        if (b.isReadable()) {
          // only the completing call leaves bytes: the next call must reject them
          assertThat(r).isNotNull();
          d.decode(b);
          fail("bytes after a complete request were accepted");
        }
      } finally {
        b.release();
      }
      if (r != null) {
        assertThat(result).as("request returned twice").isNull();
        result = r;
      }
    }
    d.endOfStream();
    assertThat(d.isComplete()).isTrue();
    return result;
  }

  /** Feeds pieces to a response decoder and returns the chunks; requires a clean end. */
  static List<ResponseChunk> decodeResponse(List<byte[]> pieces, int max) throws DecodeException {
    ResponseDecoder d = new ResponseDecoder(max);
    List<ResponseChunk> out = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      ByteBuf b = buffer(pieces.get(i), i);
      try {
        d.decode(b, out::add);
        assertThat(b.isReadable()).isFalse();
      } finally {
        b.release();
      }
    }
    if (!d.atBoundary()) {
      throw DecodeException.truncated("response stream ends inside a chunk");
    }
    assertThat(d.chunks()).isEqualTo(out.size());
    return out;
  }

  /** Even pieces in heap buffers, odd pieces in direct buffers (no backing array). */
  static ByteBuf buffer(byte[] piece, int index) {
    if (index % 2 == 0) {
      return Unpooled.wrappedBuffer(piece);
    }
    ByteBuf b = Unpooled.directBuffer(Math.max(1, piece.length));
    b.writeBytes(piece);
    return b;
  }

  static byte[] rawChunk(int wireCode, byte[] payload) {
    byte[] req = SszSnappy.encodeRequest(payload);
    byte[] out = new byte[1 + req.length];
    out[0] = (byte) wireCode;
    System.arraycopy(req, 0, out, 1, req.length);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      bos.writeBytes(p);
    }
    return bos.toByteArray();
  }

  static byte[] sample(int size, long seed) {
    Random rnd = new Random(seed);
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt() : i / 9);
    }
    return b;
  }

  // ---------------------------------------------------------------- encoding

  @Test
  void encodesSpecExamples() {
    assertThat(Hex.encode(SszSnappy.encodeRequest(Hex.decode("01020304"))))
        .isEqualTo("04" + IDENT + "01080000393d6bbc01020304");
    assertThat(Hex.encode(SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, Hex.decode("01020304"))))
        .isEqualTo("0004" + IDENT + "01080000393d6bbc01020304");
    // BlocksByRange(start=5, count=64)
    assertThat(Hex.encode(SszSnappy.encodeRequest(Hex.decode("05000000000000004000000000000000"))))
        .isEqualTo("10" + IDENT + "01140000c9c31d8405000000000000004000000000000000");
    assertThat(Hex.encode(SszSnappy.encodeRequest(new byte[0]))).isEqualTo("00" + IDENT);
    assertThat(Hex.encode(concat(
            SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, Hex.decode("deadbeef")),
            SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, Hex.decode("cafebabe")))))
        .isEqualTo("0004" + IDENT + "0108000090cea091deadbeef0004" + IDENT + "0108000047925c87cafebabe");
  }

  @Test
  void byteBufEncodersMatchArrayEncoders() {
    byte[] payload = sample(70_000, 1);
    ByteBuf buf = Unpooled.buffer();
    try {
      SszSnappy.encodeRequest(payload, buf);
      SszSnappy.encodeResponseChunk(ResponseCode.RESOURCE_UNAVAILABLE, payload, buf);
      byte[] got = new byte[buf.readableBytes()];
      buf.readBytes(got);
      assertThat(got).isEqualTo(concat(SszSnappy.encodeRequest(payload),
          SszSnappy.encodeResponseChunk(ResponseCode.RESOURCE_UNAVAILABLE, payload)));
    } finally {
      buf.release();
    }
  }

  @Test
  void errorMessagesAreCutAt256Bytes() throws DecodeException {
    String msg = "é".repeat(200); // 400 bytes; byte 256 falls on a character boundary
    byte[] chunk = SszSnappy.encodeErrorChunk(ResponseCode.SERVER_ERROR, "x" + msg); // cut inside é
    List<ResponseChunk> got = decodeResponse(List.of(chunk), MAX);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).code()).isEqualTo(ResponseCode.SERVER_ERROR);
    assertThat(got.get(0).payload()).hasSize(256)
        .isEqualTo(Arrays.copyOf(("x" + msg).getBytes(StandardCharsets.UTF_8), 256));
    assertThat(got.get(0).errorMessage()).startsWith("xéé").endsWith("\uFFFD");
    assertThatThrownBy(() -> SszSnappy.encodeErrorChunk(ResponseCode.SUCCESS, "no"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SszSnappy.errorPayload("short")).isEqualTo("short".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void refusesToEncodeAbove10MiB() {
    assertThatThrownBy(() -> SszSnappy.encodeRequest(new byte[MAX + 1]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mapsResponseCodes() {
    assertThat(ResponseCode.fromWire(0)).isEqualTo(ResponseCode.SUCCESS);
    assertThat(ResponseCode.fromWire(1)).isEqualTo(ResponseCode.INVALID_REQUEST);
    assertThat(ResponseCode.fromWire(2)).isEqualTo(ResponseCode.SERVER_ERROR);
    assertThat(ResponseCode.fromWire(3)).isEqualTo(ResponseCode.RESOURCE_UNAVAILABLE);
    for (int c = 4; c < 128; c++) {
      assertThat(ResponseCode.fromWire(c)).isEqualTo(ResponseCode.SERVER_ERROR);
    }
    for (int c = 128; c < 256; c++) {
      assertThat(ResponseCode.fromWire(c)).isEqualTo(ResponseCode.INVALID_REQUEST);
    }
    assertThatThrownBy(() -> ResponseCode.fromWire(256)).isInstanceOf(IllegalArgumentException.class);
    assertThat(SszSnappy.maxCompressedLength(600)).isEqualTo(600 + 100 + 1024);
  }

  // ---------------------------------------------------------------- request decoder

  @Test
  void requestDecodesUnderEverySplit() throws DecodeException {
    for (byte[] payload : List.of(Hex.decode("01020304"), sample(200, 2), sample(140_000, 3))) {
      byte[] wire = SszSnappy.encodeRequest(payload);
      for (Splits.Split s : Splits.of(wire, 300, 5)) {
        assertThat(decodeRequest(s.pieces(), MAX)).as(s.name()).isEqualTo(payload);
      }
    }
  }

  @Test
  void requestIsReturnedBeforeEndOfStream() throws DecodeException {
    byte[] wire = SszSnappy.encodeRequest(Hex.decode("0102"));
    RequestDecoder d = new RequestDecoder(100);
    ByteBuf b = Unpooled.wrappedBuffer(wire);
    assertThat(d.decode(b)).containsExactly(1, 2);
    assertThat(d.isComplete()).isTrue();
    assertThat(d.decode(Unpooled.EMPTY_BUFFER)).isNull();
  }

  @Test
  void emptyRequestWithOrWithoutIdentifier() throws DecodeException {
    assertThat(decodeRequest(List.of(Hex.decode("00")), MAX)).isEmpty();
    for (Splits.Split s : Splits.of(Hex.decode("00" + IDENT))) {
      assertThat(decodeRequest(s.pieces(), MAX)).as(s.name()).isEmpty();
    }
    assertThatThrownBy(() -> decodeRequest(List.of(Hex.decode("00ff0600")), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
    assertThatThrownBy(() -> decodeRequest(List.of(Hex.decode("00"), Hex.decode("01")), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES));
  }

  @Test
  void requestRejections() throws DecodeException {
    // empty stream
    assertThatThrownBy(() -> decodeRequest(List.of(new byte[0]), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
    // 10 MiB + 1 declared: rejected on the varint alone
    RequestDecoder d = new RequestDecoder(MAX);
    assertThatThrownBy(() -> d.decode(Unpooled.wrappedBuffer(Hex.decode("81808005"))))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    assertThatThrownBy(() -> d.decode(Unpooled.EMPTY_BUFFER)).isInstanceOf(IllegalStateException.class);
    // a smaller per-protocol limit is enforced from the first varint byte that proves it
    RequestDecoder status = new RequestDecoder(80);
    assertThatThrownBy(() -> status.decode(Unpooled.wrappedBuffer(Hex.decode("d1"))))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    // trailing bytes after a complete request: left unread by the completing call, rejected later
    byte[] wire = concat(SszSnappy.encodeRequest(Hex.decode("0102")), Hex.decode("00"));
    RequestDecoder t = new RequestDecoder(MAX);
    ByteBuf buf = Unpooled.wrappedBuffer(wire);
    assertThat(t.decode(buf)).containsExactly(1, 2);
    assertThat(buf.readableBytes()).isEqualTo(1);
    assertThatThrownBy(() -> t.decode(buf))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES));
    assertThatThrownBy(() -> decodeRequest(List.of(SszSnappy.encodeRequest(Hex.decode("0102")), Hex.decode("00")), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES));
    // incomplete payload at end of stream
    byte[] full = SszSnappy.encodeRequest(sample(100, 1));
    assertThatThrownBy(() -> decodeRequest(List.of(Arrays.copyOf(full, full.length - 1)), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
  }

  @Test
  void requestRejectsFramedBytesBeyondBoundBeforeBuffering() {
    // declares 100 bytes, then a 2000-byte padding chunk: budget is 100 + 16 + 1024
    byte[] head = Hex.decode("64" + IDENT + "fed00700");
    RequestDecoder d = new RequestDecoder(MAX);
    assertThatThrownBy(() -> d.decode(Unpooled.wrappedBuffer(head)))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
  }

  // ---------------------------------------------------------------- response decoder

  @Test
  void responseStreamDecodesUnderEverySplit() throws DecodeException {
    byte[] big = sample(100_000, 5);
    byte[] wire = concat(
        SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, Hex.decode("deadbeef")),
        Hex.decode("00" + "00"), // empty SUCCESS without identifier
        SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, new byte[0]), // with identifier
        rawChunk(0xff, Hex.decode("aabbccddeeff")), // code 0xff, length 6 right after an empty chunk
        rawChunk(0x00, new byte[0]),
        rawChunk(0xff, Hex.decode("01")), // code 0xff, length 1 right after an empty chunk
        SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, big),
        SszSnappy.encodeErrorChunk(ResponseCode.RESOURCE_UNAVAILABLE, "gone"),
        rawChunk(77, Hex.decode("6f6f7073")),
        // padding and a repeated identifier inside a chunk's framed stream
        Hex.decode("0004" + IDENT + "fe030000aabbcc" + IDENT + "0108000090cea091deadbeef"));
    List<ResponseChunk> expected = List.of(
        new ResponseChunk(0, ResponseCode.SUCCESS, Hex.decode("deadbeef")),
        new ResponseChunk(0, ResponseCode.SUCCESS, new byte[0]),
        new ResponseChunk(0, ResponseCode.SUCCESS, new byte[0]),
        new ResponseChunk(0xff, ResponseCode.INVALID_REQUEST, Hex.decode("aabbccddeeff")),
        new ResponseChunk(0, ResponseCode.SUCCESS, new byte[0]),
        new ResponseChunk(0xff, ResponseCode.INVALID_REQUEST, Hex.decode("01")),
        new ResponseChunk(0, ResponseCode.SUCCESS, big),
        new ResponseChunk(3, ResponseCode.RESOURCE_UNAVAILABLE, "gone".getBytes(StandardCharsets.UTF_8)),
        new ResponseChunk(77, ResponseCode.SERVER_ERROR, "oops".getBytes(StandardCharsets.UTF_8)),
        new ResponseChunk(0, ResponseCode.SUCCESS, Hex.decode("deadbeef")));
    for (Splits.Split s : Splits.of(wire, 200, 10)) {
      assertThat(decodeResponse(s.pieces(), MAX)).as(s.name()).isEqualTo(expected);
    }
  }

  @Test
  void responseChunkIsEmittedAsSoonAsComplete() throws DecodeException {
    byte[] first = SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, Hex.decode("01"));
    byte[] second = SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, Hex.decode("02"));
    ResponseDecoder d = new ResponseDecoder(MAX);
    List<ResponseChunk> out = new ArrayList<>();
    d.decode(Unpooled.wrappedBuffer(concat(first, Arrays.copyOf(second, 3))), out::add);
    assertThat(out).hasSize(1);
    assertThat(d.atBoundary()).isFalse();
    d.decode(Unpooled.wrappedBuffer(Arrays.copyOfRange(second, 3, second.length)), out::add);
    assertThat(out).hasSize(2);
    assertThat(d.atBoundary()).isTrue();
  }

  @Test
  void responseRejections() {
    assertThatThrownBy(() -> decodeResponse(List.of(Hex.decode("0081808005")), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    assertThatThrownBy(() -> decodeResponse(List.of(Hex.decode("00")), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
    assertThatThrownBy(() -> decodeResponse(List.of(Hex.decode("0004" + IDENT + "0108000090cea091deadbe")), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
    assertThatThrownBy(() -> decodeResponse(List.of(Hex.decode("0004" + IDENT + "0108000090cea092deadbeef")), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_CHECKSUM));
    // partial identifier after an empty payload cannot start a chunk
    assertThatThrownBy(() -> decodeResponse(List.of(Hex.decode("0000ff0600007f")), MAX))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    // framed bytes beyond declared + declared/6 + 1024: rejected on the padding chunk's header
    ResponseDecoder padded = new ResponseDecoder(MAX);
    assertThatThrownBy(() -> padded.decode(Unpooled.wrappedBuffer(Hex.decode("0064" + IDENT + "fed00700")), c -> { }))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    // a declared length is rejected on the first varint byte that proves it too large
    ResponseDecoder small = new ResponseDecoder(80);
    assertThatThrownBy(() -> small.decode(Unpooled.wrappedBuffer(Hex.decode("00ff")), c -> { }))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    // the per-decoder limit
    byte[] chunk = SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, new byte[81]);
    assertThatThrownBy(() -> decodeResponse(List.of(chunk), 80))
        .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
  }

  // ---------------------------------------------------------------- properties

  record Chunk(int wireCode, byte[] payload, boolean bareEmpty) {}

  @Property
  void responseStreamRoundTrips(@ForAll("streams") List<Chunk> chunks, @ForAll long seed)
      throws DecodeException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    List<ResponseChunk> expected = new ArrayList<>();
    for (Chunk c : chunks) {
      if (c.payload().length == 0 && c.bareEmpty()) {
        wire.writeBytes(new byte[] {(byte) c.wireCode(), 0});
      } else {
        wire.writeBytes(rawChunk(c.wireCode(), c.payload()));
      }
      expected.add(new ResponseChunk(c.wireCode(), ResponseCode.fromWire(c.wireCode()), c.payload()));
    }
    List<byte[]> pieces = Splits.randomCut(wire.toByteArray(), new Random(seed));
    assertThat(decodeResponse(pieces, MAX)).isEqualTo(expected);
  }

  @Property
  void requestRoundTrips(@ForAll("payloads") byte[] payload, @ForAll long seed) throws DecodeException {
    List<byte[]> pieces = Splits.randomCut(SszSnappy.encodeRequest(payload), new Random(seed));
    assertThat(decodeRequest(pieces, MAX)).isEqualTo(payload);
  }

  @Property
  void garbageIsRejectedCleanly(@ForAll("garbage") byte[] g, @ForAll long seed) {
    List<byte[]> pieces = Splits.randomCut(g, new Random(seed));
    try {
      byte[] r = decodeRequest(pieces, 4096);
      assertThat(r.length).isLessThanOrEqualTo(4096);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
    try {
      List<ResponseChunk> chunks = decodeResponse(pieces, 4096);
      // whatever decoded must re-encode to a stream that decodes to the same chunks
      ByteArrayOutputStream again = new ByteArrayOutputStream();
      for (ResponseChunk c : chunks) {
        again.writeBytes(rawChunk(c.wireCode(), c.payload()));
      }
      assertThat(decodeResponse(List.of(again.toByteArray()), 4096)).isEqualTo(chunks);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<List<Chunk>> streams() {
    Arbitrary<Integer> codes = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 255),
        Arbitraries.just(0xff));
    Arbitrary<byte[]> payloads = Arbitraries.oneOf(payloads(), Arbitraries.just(new byte[0]));
    return Combinators.combine(codes, payloads, Arbitraries.of(true, false))
        .as(Chunk::new).list().ofMaxSize(4);
  }

  @Provide
  Arbitrary<byte[]> payloads() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
        Arbitraries.bytes().between((byte) 0, (byte) 2).array(byte[].class).ofMaxSize(300));
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(48);
    Arbitrary<byte[]> plausible = Combinators.combine(
            Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 40),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
        .as((code, len, tail) -> concat(new byte[] {(byte) (int) code, (byte) (int) len},
            Hex.decode(IDENT), tail));
    return Arbitraries.oneOf(random, plausible);
  }
}
