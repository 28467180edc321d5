package io.leanp2p.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.crypto.KeyProtobuf;
import io.leanp2p.crypto.KeyType;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PublicKey;
import io.leanp2p.crypto.enr.Enr;
import io.leanp2p.crypto.enr.EnrFixtureChecks;
import io.leanp2p.multiformats.Varint;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * leanSpec {@code networking_codec} conformance for the multiformats/crypto layer: every {@code
 * varint}, {@code peer_id} and {@code enr} case, and every {@code decode_failure} case whose decoder
 * is {@code varint} or {@code enr} (which covers {@code test_decode_failure_smoke}). One dynamic
 * test per case, named after its file. Skipped (never passed) when the fixtures are absent.
 */
class MultiformatsConformanceTest {
  private static final String ROOT = "networking/networking_codec/lstar/networking";
  private static final Set<String> FAILURE_DECODERS = Set.of("varint", "enr");

  @TestFactory
  Stream<DynamicTest> multiformatsFixtures() {
    List<DynamicTest> tests = new ArrayList<>();
    int varint = 0;
    int failures = 0;
    int peerIds = 0;
    int enrs = 0;
    for (Fixtures.Case c : Fixtures.cases(ROOT)) {
      String kind = Fixtures.get(c.body(), "codec", "kind");
      switch (kind) {
        case "varint" -> {
          varint++;
          tests.add(DynamicTest.dynamicTest(c.name(), () -> varintCase(c.body())));
        }
        case "peer_id" -> {
          peerIds++;
          tests.add(DynamicTest.dynamicTest(c.name(), () -> peerIdCase(c.name(), c.body())));
        }
        case "enr" -> {
          enrs++;
          tests.add(DynamicTest.dynamicTest(c.name(), () -> EnrFixtureChecks.check(c.name(), c.body())));
        }
        case "decode_failure" -> {
          String decoder = Fixtures.get(c.body(), "codec", "decoder");
          if (FAILURE_DECODERS.contains(decoder)) {
            failures++;
            tests.add(DynamicTest.dynamicTest(c.name(), () -> decodeFailureCase(decoder, c.body())));
          }
        }
        default -> { }
      }
    }
    // guard against the selection silently shrinking (counts of the pinned fixture snapshot)
    int v = varint;
    int f = failures;
    int p = peerIds;
    int e = enrs;
    tests.add(DynamicTest.dynamicTest("fixture counts", () -> {
      assertThat(v).as("varint cases").isEqualTo(14);
      assertThat(f).as("varint/enr decode_failure cases").isEqualTo(6);
      assertThat(p).as("peer_id cases").isEqualTo(4);
      assertThat(e).as("enr cases").isEqualTo(8);
    }));
    return tests.stream();
  }

  private static void varintCase(Map<String, Object> body) throws DecodeException {
    long value = Fixtures.u64(Fixtures.get(body, "codec", "value"));
    byte[] expected = Hex.decode((String) Fixtures.get(body, "output", "encoded"));
    int byteLength = Fixtures.int32(Fixtures.get(body, "output", "byteLength"));
    assertThat(Varint.encode(value)).isEqualTo(expected);
    assertThat(Varint.encodedLength(value)).isEqualTo(byteLength).isEqualTo(expected.length);
    assertThat(Varint.decodeExact(expected)).isEqualTo(value);
  }

  private static void peerIdCase(String name, Map<String, Object> body) throws DecodeException {
    KeyType type = KeyType.valueOf(((String) Fixtures.get(body, "codec", "keyType")).toUpperCase(Locale.ROOT));
    byte[] raw = Hex.decode((String) Fixtures.get(body, "codec", "publicKey"));
    byte[] pb = Hex.decode((String) Fixtures.get(body, "output", "protobufEncoded"));
    String id = Fixtures.get(body, "output", "peerId");
    assertThat(KeyProtobuf.encode(type, raw)).as(name).isEqualTo(pb);
    assertThat(PeerId.fromPublicKeyProtobuf(pb).toBase58()).as(name).isEqualTo(id);
    if (type == KeyType.SECP256K1 || type == KeyType.ED25519) {
      assertThat(PeerId.fromPublicKey(PublicKey.fromProtobuf(pb)).toBase58()).as(name).isEqualTo(id);
    }
  }

  private static void decodeFailureCase(String decoder, Map<String, Object> body) {
    assertThat((String) Fixtures.get(body, "rejectionReason")).isEqualTo("DECODE_ERROR");
    byte[] raw = Hex.decode((String) Fixtures.get(body, "codec", "rawBytes"));
    switch (decoder) {
      case "varint" -> assertThatThrownBy(() -> Varint.decodeExact(raw)).isInstanceOf(DecodeException.class);
      case "enr" -> assertThatThrownBy(() -> Enr.fromRlp(raw)).isInstanceOf(DecodeException.class);
      default -> throw new IllegalStateException(decoder);
    }
  }
}
