package io.leanp2p.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.lean.AggregatedAttestation;
import io.leanp2p.lean.AttestationData;
import io.leanp2p.lean.Bitlist;
import io.leanp2p.lean.Block;
import io.leanp2p.lean.BlockBody;
import io.leanp2p.lean.BlocksByRootRequest;
import io.leanp2p.lean.Checkpoint;
import io.leanp2p.lean.SignedBlock;
import io.leanp2p.lean.SignedBlockView;
import io.leanp2p.lean.Status;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * leanSpec SSZ vectors ({@code {typeName, value, serialized, root}}) for the networking
 * containers and the consensus containers the networking layer reads: for each case, the value
 * built from the JSON encodes to {@code serialized}, {@code serialized} decodes to that value and
 * re-encodes byte for byte, and {@code hash_tree_root} equals {@code root}.
 */
class SszConformanceTest {
  private static final Set<String> CONSENSUS_TYPES = Set.of("Checkpoint", "Block", "BlockBody",
      "SignedBlock", "AttestationData", "AggregatedAttestation");

  /** One SSZ type under test: decode, encode, root, and construction from the fixture JSON. */
  private record Codec<T>(Decoder<T> decode, Function<T, byte[]> encode, Function<T, byte[]> root,
      Function<Map<String, Object>, T> fromJson) {}

  @FunctionalInterface
  private interface Decoder<T> {
    T decode(byte[] b) throws DecodeException;
  }

  private static final Map<String, Codec<?>> CODECS = Map.of(
      "Checkpoint", new Codec<>(Checkpoint::decode, Checkpoint::encode, Checkpoint::hashTreeRoot,
          SszConformanceTest::checkpoint),
      "Status", new Codec<>(Status::decode, Status::encode, Status::hashTreeRoot,
          m -> new Status(checkpoint(obj(m, "finalized")), checkpoint(obj(m, "head")))),
      "BlocksByRootRequest", new Codec<>(BlocksByRootRequest::decode, BlocksByRootRequest::encode,
          BlocksByRootRequest::hashTreeRoot,
          m -> new BlocksByRootRequest(data(obj(m, "roots")).stream().map(r -> bytes(r)).toList())),
      "AttestationData", new Codec<>(AttestationData::decode, AttestationData::encode,
          AttestationData::hashTreeRoot, SszConformanceTest::attestationData),
      "AggregatedAttestation", new Codec<>(AggregatedAttestation::decode,
          AggregatedAttestation::encode, AggregatedAttestation::hashTreeRoot,
          SszConformanceTest::aggregated),
      "BlockBody", new Codec<>(BlockBody::decode, BlockBody::encode, BlockBody::hashTreeRoot,
          SszConformanceTest::body),
      "Block", new Codec<>(Block::decode, Block::encode, Block::hashTreeRoot,
          SszConformanceTest::block),
      "SignedBlock", new Codec<>(SignedBlock::decode, SignedBlock::encode,
          SignedBlock::hashTreeRoot,
          m -> new SignedBlock(block(obj(m, "block")),
              bytes(obj(obj(m, "proof"), "proof").get("data")))));

  @TestFactory
  Stream<DynamicTest> networkingContainers() {
    return Fixtures.cases("ssz/test_networking_containers").stream()
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  @TestFactory
  Stream<DynamicTest> consensusContainers() {
    List<Fixtures.Case> cases = Fixtures.cases("ssz/test_consensus_containers").stream()
        .filter(c -> CONSENSUS_TYPES.contains((String) c.body().get("typeName")))
        .toList();
    assertThat(cases.stream().map(c -> (String) c.body().get("typeName")).distinct())
        .containsExactlyInAnyOrderElementsOf(CONSENSUS_TYPES);
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  @TestFactory
  Stream<DynamicTest> signedBlockViews() {
    return Fixtures.cases("ssz/test_consensus_containers").stream()
        .filter(c -> "SignedBlock".equals(c.body().get("typeName")))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          Map<String, Object> value = obj(c.body(), "value");
          Block expected = block(obj(value, "block"));
          SignedBlockView v = SignedBlockView.parse(bytes(c.body().get("serialized")));
          assertThat(v.slot()).isEqualTo(expected.slot());
          assertThat(v.proposerIndex()).isEqualTo(expected.proposerIndex());
          assertThat(v.parentRoot()).isEqualTo(expected.parentRoot());
          assertThat(v.stateRoot()).isEqualTo(expected.stateRoot());
          assertThat(v.blockRoot()).isEqualTo(expected.hashTreeRoot());
        }));
  }

  /** Bitlist decode rejections ({@code DecodeBitlist8}/{@code SmokeBitlist8}: limit 8 bits). */
  @TestFactory
  Stream<DynamicTest> bitlistRejections() {
    List<Fixtures.Case> cases = new ArrayList<>();
    cases.addAll(Fixtures.cases("ssz/test_decode_rejections"));
    cases.addAll(Fixtures.cases("ssz/test_decode_failure_smoke"));
    return cases.stream()
        .filter(c -> ((String) c.body().get("typeName")).matches("(Decode|Smoke)Bitlist8"))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          byte[] raw = bytes(c.body().get("rawBytes"));
          assertThatThrownBy(() -> Bitlist.decode(raw, 8)).isInstanceOf(DecodeException.class);
        }));
  }

  @SuppressWarnings("unchecked")
  private static <T> void check(Fixtures.Case c) throws DecodeException {
    String type = (String) c.body().get("typeName");
    Codec<T> codec = (Codec<T>) CODECS.get(type);
    assertThat(codec).as("codec for " + type).isNotNull();
    byte[] serialized = bytes(c.body().get("serialized"));
    byte[] root = bytes(c.body().get("root"));
    T fromJson = codec.fromJson().apply(obj(c.body(), "value"));
    assertThat(Hex.encode(codec.encode().apply(fromJson))).isEqualTo(Hex.encode(serialized));
    T decoded = codec.decode().decode(serialized);
    assertThat(decoded).isEqualTo(fromJson);
    assertThat(codec.encode().apply(decoded)).isEqualTo(serialized);
    assertThat(Hex.encode(codec.root().apply(decoded))).isEqualTo(Hex.encode(root));
  }

  // ------------------------------------------------------------------ JSON -> values

  static Checkpoint checkpoint(Map<String, Object> m) {
    return new Checkpoint(bytes(m.get("root")), u64(m.get("slot")));
  }

  static AttestationData attestationData(Map<String, Object> m) {
    return new AttestationData(u64(m.get("slot")), checkpoint(obj(m, "head")),
        checkpoint(obj(m, "target")), checkpoint(obj(m, "source")));
  }

  static AggregatedAttestation aggregated(Map<String, Object> m) {
    List<Object> bits = data(obj(m, "aggregationBits"));
    boolean[] b = new boolean[bits.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = (Boolean) bits.get(i);
    }
    return new AggregatedAttestation(Bitlist.encode(b), attestationData(obj(m, "data")));
  }

  @SuppressWarnings("unchecked")
  static BlockBody body(Map<String, Object> m) {
    return new BlockBody(data(obj(m, "attestations")).stream()
        .map(a -> aggregated((Map<String, Object>) a)).toList());
  }

  static Block block(Map<String, Object> m) {
    return new Block(u64(m.get("slot")), u64(m.get("proposerIndex")), bytes(m.get("parentRoot")),
        bytes(m.get("stateRoot")), body(obj(m, "body")));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Map<String, Object> m, String key) {
    Object v = m.get(key);
    assertThat(v).as(key).isInstanceOf(Map.class);
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  static List<Object> data(Map<String, Object> m) {
    return (List<Object>) m.get("data");
  }

  static byte[] bytes(Object hex) {
    return Hex.decode((String) hex);
  }

  static long u64(Object n) {
    return Fixtures.u64(n);
  }
}
