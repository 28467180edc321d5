package io.leanp2p.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.codec.snappy.SnappyFrameDecoder;
import io.leanp2p.codec.snappy.SnappyFrames;
import io.leanp2p.codec.sszsnappy.RequestDecoder;
import io.leanp2p.codec.sszsnappy.ResponseChunk;
import io.leanp2p.lean.ResponseCode;
import io.leanp2p.codec.sszsnappy.ResponseDecoder;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.multiformats.Varint;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.testing.Splits;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyFramedInputStream;

/**
 * leanSpec networking codec fixtures for snappy (block and frame), ssz_snappy requests, response
 * chunks and streams, and decode failures, plus the {@code computed_extra} req/resp vectors of
 * {@code vectors.json}. One dynamic test per fixture file.
 *
 * <p>Snappy compression is not canonical, so encode cases compare decoded payloads (our bytes must
 * decode, with ours and with snappy-java's reference decoder, to the input); decode cases compare
 * bytes exactly, and each decode case also runs through the incremental decoders under {@link
 * Splits}. Deterministic parts (code byte, length prefix, stream identifier, uncompressed chunks)
 * are compared byte for byte.
 */
class CodecConformanceTest {
  private static final String DIR = "networking/networking_codec/lstar/networking";
  private static final Set<String> FAILURE_DECODERS =
      Set.of("snappy_block", "snappy_frame", "reqresp_request", "reqresp_response");
  private static final int MAX = SszSnappy.MAX_PAYLOAD;

  private static Stream<DynamicTest> casesOfKind(String kind, Check check) {
    List<Fixtures.Case> cases = Fixtures.cases(DIR).stream()
        .filter(c -> kind.equals(Fixtures.get(c.body(), "codec", "kind")))
        .toList();
    assertThat(cases).as("fixture cases of kind " + kind).isNotEmpty();
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(),
        () -> check.run(Fixtures.get(c.body(), "codec"), Fixtures.get(c.body(), "output"))));
  }

  @FunctionalInterface
  private interface Check {
    void run(Map<String, Object> codec, Map<String, Object> output) throws Exception;
  }

  // ------------------------------------------------------------------ snappy

  @TestFactory
  Stream<DynamicTest> snappyBlock() {
    return casesOfKind("snappy_block", (codec, output) -> {
      byte[] data = hex(codec.get("data"));
      byte[] expected = hex(output.get("compressed"));
      assertThat(num(output.get("compressedLength"))).isEqualTo(expected.length);
      assertThat(num(output.get("uncompressedLength"))).isEqualTo(data.length);
      // decode direction: exact bytes
      assertThat(SnappyBlock.decompress(expected, MAX)).isEqualTo(data);
      // encode direction: ours decodes to the input with our and the reference decoder
      byte[] ours = SnappyBlock.compress(data);
      assertThat(SnappyBlock.decompress(ours, MAX)).isEqualTo(data);
      assertThat(Snappy.uncompress(ours)).isEqualTo(data);
      assertThat(ours.length).isLessThanOrEqualTo(SnappyBlock.maxCompressedLength(data.length));
    });
  }

  @TestFactory
  Stream<DynamicTest> snappyFrame() {
    return casesOfKind("snappy_frame", (codec, output) -> {
      byte[] data = hex(codec.get("data"));
      byte[] expected = hex(output.get("framed"));
      assertThat(num(output.get("framedLength"))).isEqualTo(expected.length);
      assertThat(num(output.get("uncompressedLength"))).isEqualTo(data.length);
      assertThat(SnappyFrames.decode(expected, MAX)).isEqualTo(data);
      assertFramesDecodeIncrementally(expected, data);
      byte[] ours = SnappyFrames.encode(data);
      assertThat(SnappyFrames.decode(ours, MAX)).isEqualTo(data);
      assertThat(referenceFramedDecode(ours)).isEqualTo(data);
      assertThat(Hex.encode(ours, 0, 10)).isEqualTo(Hex.encode(expected, 0, 10));
      if (data.length == 0) {
        assertThat(ours).isEqualTo(expected);
      }
    });
  }

  // ------------------------------------------------------------------ req/resp

  @TestFactory
  Stream<DynamicTest> reqrespRequest() {
    return casesOfKind("reqresp_request", (codec, output) -> {
      byte[] ssz = hex(codec.get("sszData"));
      byte[] expected = hex(output.get("encoded"));
      assertRequestDecodes(expected, ssz);
      byte[] ours = SszSnappy.encodeRequest(ssz);
      assertThat(decodeRequest(List.of(ours))).isEqualTo(ssz);
      assertSamePrefix(ours, expected, Varint.encodedLength(ssz.length) + 10);
      if (ssz.length == 0) {
        assertThat(ours).isEqualTo(expected);
      }
    });
  }

  @TestFactory
  Stream<DynamicTest> reqrespResponse() {
    return casesOfKind("reqresp_response", (codec, output) -> {
      int code = num(codec.get("responseCode"));
      byte[] ssz = hex(codec.get("sszData"));
      byte[] expected = hex(output.get("encoded"));
      ResponseChunk want = new ResponseChunk(code, ResponseCode.fromWire(code), ssz);
      assertResponseDecodes(expected, List.of(want));
      byte[] ours = SszSnappy.encodeResponseChunk(ResponseCode.fromWire(code), ssz);
      assertThat(decodeResponse(List.of(ours))).containsExactly(want);
      assertSamePrefix(ours, expected, 1 + Varint.encodedLength(ssz.length) + 10);
      if (code != 0 && isUtf8(ssz)) {
        // an error text we would send for this message yields exactly this payload
        assertThat(SszSnappy.errorPayload(want.errorMessage())).isEqualTo(ssz);
      }
    });
  }

  @TestFactory
  Stream<DynamicTest> reqrespResponseStream() {
    return casesOfKind("reqresp_response_stream", (codec, output) -> {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> chunks = (List<Map<String, Object>>) codec.get("chunks");
      byte[] expected = hex(output.get("encoded"));
      assertThat(num(output.get("chunkCount"))).isEqualTo(chunks.size());
      List<ResponseChunk> want = new ArrayList<>();
      ByteArrayOutputStream ours = new ByteArrayOutputStream();
      for (Map<String, Object> c : chunks) {
        int code = num(c.get("responseCode"));
        byte[] ssz = hex(c.get("sszData"));
        want.add(new ResponseChunk(code, ResponseCode.fromWire(code), ssz));
        ours.writeBytes(SszSnappy.encodeResponseChunk(ResponseCode.fromWire(code), ssz));
      }
      assertResponseDecodes(expected, want);
      assertThat(decodeResponse(List.of(ours.toByteArray()))).isEqualTo(want);
    });
  }

  // ------------------------------------------------------------------ decode failures

  @TestFactory
  Stream<DynamicTest> decodeFailures() {
    List<Fixtures.Case> cases = Fixtures.cases(DIR).stream()
        .filter(c -> "decode_failure".equals(Fixtures.get(c.body(), "codec", "kind")))
        .filter(c -> FAILURE_DECODERS.contains((String) Fixtures.get(c.body(), "codec", "decoder")))
        .toList();
    assertThat(cases.stream().map(c -> (String) Fixtures.get(c.body(), "codec", "decoder")).distinct())
        .contains("snappy_frame", "reqresp_request");
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      assertThat(c.body().get("rejectionReason")).isEqualTo("DECODE_ERROR");
      String decoder = Fixtures.get(c.body(), "codec", "decoder");
      byte[] raw = hex(Fixtures.get(c.body(), "codec", "rawBytes"));
      switch (decoder) {
        case "snappy_block" -> assertThatThrownBy(() -> SnappyBlock.decompress(raw, MAX))
            .isInstanceOf(DecodeException.class);
        case "snappy_frame" -> assertThatThrownBy(() -> SnappyFrames.decode(raw, MAX))
            .isInstanceOf(DecodeException.class);
        case "reqresp_request" -> {
          for (Splits.Split s : Splits.of(raw)) {
            assertThatThrownBy(() -> decodeRequest(s.pieces())).as(s.name())
                .isInstanceOf(DecodeException.class);
          }
        }
        case "reqresp_response" -> {
          for (Splits.Split s : Splits.of(raw)) {
            assertThatThrownBy(() -> decodeResponse(s.pieces())).as(s.name())
                .isInstanceOf(DecodeException.class);
          }
        }
        default -> fail("unexpected decoder " + decoder);
      }
    }));
  }

  // ------------------------------------------------------------------ vectors.json computed_extra

  @TestFactory
  Stream<DynamicTest> computedExtraRequests() {
    Map<String, Object> reqresp = computedExtraReqresp();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> requests = (List<Map<String, Object>>) reqresp.get("requests");
    assertThat(requests).isNotEmpty();
    List<DynamicTest> tests = new ArrayList<>();
    for (Map<String, Object> r : requests) {
      tests.add(DynamicTest.dynamicTest("request " + r.get("protocol_id"), () -> {
        byte[] ssz = hex(r.get("ssz"));
        byte[] wire = hex(r.get("request_wire"));
        assertThat(num(r.get("ssz_length"))).isEqualTo(ssz.length);
        assertRequestDecodes(wire, ssz);
        byte[] ours = SszSnappy.encodeRequest(ssz);
        assertThat(decodeRequest(List.of(ours))).isEqualTo(ssz);
        assertSamePrefix(ours, wire, Varint.encodedLength(ssz.length) + 10);
        if (wire[Varint.encodedLength(ssz.length) + 10] == 0x01) {
          // stored uncompressed by leanSpec: snappy does not shrink it for us either
          assertThat(Hex.encode(ours)).isEqualTo(Hex.encode(wire));
        }
      }));
    }
    tests.add(DynamicTest.dynamicTest("status_success_chunk", () -> {
      byte[] wire = hex(reqresp.get("status_success_chunk"));
      byte[] statusSsz = hex(requests.get(0).get("ssz"));
      assertResponseDecodes(wire, List.of(new ResponseChunk(0, ResponseCode.SUCCESS, statusSsz)));
    }));
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> computedExtraServerErrorChunks() {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> errors =
        (List<Map<String, Object>>) computedExtraReqresp().get("server_error_chunks");
    assertThat(errors).isNotEmpty();
    return errors.stream().map(e -> DynamicTest.dynamicTest(
        e.get("code_name") + " " + e.get("message"), () -> {
          int code = num(e.get("code"));
          ResponseCode rc = ResponseCode.fromWire(code);
          assertThat(rc.name()).isEqualTo(e.get("code_name"));
          String message = expandMessage((String) e.get("message"));
          byte[] wire = hex(e.get("chunk_wire"));
          byte[] payload = SszSnappy.errorPayload(message);
          assertThat(payload).hasSize(num(e.get("payload_length")));
          byte[] ours = SszSnappy.encodeErrorChunk(rc, message);
          int header = 1 + Varint.encodedLength(payload.length) + 10;
          if (wire[header] == 0x01) {
            // stored uncompressed (every real server message): byte for byte
            assertThat(Hex.encode(ours)).isEqualTo(Hex.encode(wire));
          } else {
            // compressed (the synthetic 300-byte message): compression is not canonical
            assertSamePrefix(ours, wire, header);
            assertThat(decodeResponse(List.of(ours)).get(0).payload()).isEqualTo(payload);
          }
          List<ResponseChunk> got = decodeResponse(List.of(wire));
          assertThat(got).containsExactly(new ResponseChunk(code, rc, payload));
          assertThat(message).startsWith(got.get(0).errorMessage());
          assertResponseDecodes(wire, got);
        }));
  }

  @TestFactory
  Stream<DynamicTest> computedExtraUnknownResponseCodes() {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> codes =
        (List<Map<String, Object>>) computedExtraReqresp().get("unknown_response_codes");
    assertThat(codes).isNotEmpty();
    return codes.stream().map(u -> DynamicTest.dynamicTest("raw code " + u.get("raw_code"), () -> {
      int raw = num(u.get("raw_code"));
      ResponseChunk want = new ResponseChunk(raw, ResponseCode.valueOf((String) u.get("decoded_as")),
          hex(u.get("payload")));
      assertResponseDecodes(hex(u.get("wire")), List.of(want));
    }));
  }

  // ------------------------------------------------------------------ helpers

  private static Map<String, Object> computedExtraReqresp() {
    Path vectors = Fixtures.requireRoot().resolve("vectors.json");
    org.junit.jupiter.api.Assumptions.assumeTrue(vectors.toFile().isFile(), "vectors.json absent: skipped");
    return Fixtures.get(Fixtures.readObject(vectors), "computed_extra", "reqresp");
  }

  private static void assertRequestDecodes(byte[] wire, byte[] ssz) throws DecodeException {
    for (Splits.Split s : Splits.of(wire, 256, 8)) {
      assertThat(decodeRequest(s.pieces())).as(s.name()).isEqualTo(ssz);
    }
  }

  private static void assertResponseDecodes(byte[] wire, List<ResponseChunk> want)
      throws DecodeException {
    for (Splits.Split s : Splits.of(wire, 256, 8)) {
      assertThat(decodeResponse(s.pieces())).as(s.name()).isEqualTo(want);
    }
  }

  private static void assertFramesDecodeIncrementally(byte[] framed, byte[] data)
      throws DecodeException {
    for (Splits.Split s : Splits.of(framed, 256, 8)) {
      byte[] out = new byte[data.length];
      SnappyFrameDecoder d = new SnappyFrameDecoder();
      d.reset(out, 0, data.length, Long.MAX_VALUE);
      for (byte[] piece : s.pieces()) {
        d.feed(piece, 0, piece.length);
      }
      assertThat(d.isComplete()).as(s.name()).isTrue();
      assertThat(out).as(s.name()).isEqualTo(data);
    }
  }

  private static byte[] decodeRequest(List<byte[]> pieces) throws DecodeException {
    RequestDecoder d = new RequestDecoder(MAX);
    byte[] result = null;
    for (byte[] p : pieces) {
      ByteBuf b = Unpooled.wrappedBuffer(p);
      byte[] r = d.decode(b);
      if (r != null) {
        result = r;
      }
      if (b.isReadable()) {
        d.decode(b); // bytes after a complete request: rejected by the next call
        fail("bytes after a complete request were accepted");
      }
    }
    d.endOfStream();
    return result;
  }

  private static List<ResponseChunk> decodeResponse(List<byte[]> pieces) throws DecodeException {
    ResponseDecoder d = new ResponseDecoder(MAX);
    List<ResponseChunk> out = new ArrayList<>();
    for (byte[] p : pieces) {
      d.decode(Unpooled.wrappedBuffer(p), out::add);
    }
    if (!d.atBoundary()) {
      throw DecodeException.truncated("stream ends inside a chunk");
    }
    return out;
  }

  private static byte[] referenceFramedDecode(byte[] framed) throws IOException {
    try (var in = new SnappyFramedInputStream(new ByteArrayInputStream(framed))) {
      return in.readAllBytes();
    }
  }

  private static void assertSamePrefix(byte[] ours, byte[] expected, int n) {
    assertThat(Hex.encode(ours, 0, n)).isEqualTo(Hex.encode(expected, 0, n));
  }

  /** vectors.json writes one synthetic message as a Python expression: {@code 'x' * 300}. */
  private static String expandMessage(String m) {
    java.util.regex.Matcher r = java.util.regex.Pattern.compile("'(.)' \\* (\\d+)").matcher(m);
    return r.matches() ? r.group(1).repeat(Integer.parseInt(r.group(2))) : m;
  }

  private static boolean isUtf8(byte[] b) {
    try {
      java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  private static byte[] hex(Object o) {
    return Hex.decode((String) o);
  }

  private static int num(Object o) {
    return Fixtures.int32(o);
  }
}
