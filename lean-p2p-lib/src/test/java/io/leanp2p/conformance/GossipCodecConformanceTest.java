package io.leanp2p.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.codec.gossip.ControlGraft;
import io.leanp2p.codec.gossip.ControlIDontWant;
import io.leanp2p.codec.gossip.ControlIHave;
import io.leanp2p.codec.gossip.ControlIWant;
import io.leanp2p.codec.gossip.ControlMessage;
import io.leanp2p.codec.gossip.ControlPrune;
import io.leanp2p.codec.gossip.Message;
import io.leanp2p.codec.gossip.MessageId;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.RpcCodec;
import io.leanp2p.codec.gossip.RpcFrameDecoder;
import io.leanp2p.codec.gossip.RpcFrames;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.lean.GossipTopic;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * leanSpec conformance for the gossip codec: topics, message ids, the RPC protobuf (byte-exact
 * encode, decode + re-encode), RPC decode failures, and {@code vectors.json → computed_extra
 * .gossip_pipeline}. One dynamic test per fixture file, named after the file.
 */
class GossipCodecConformanceTest {
  private static final String DIR = "networking/networking_codec/lstar/networking";

  @TestFactory
  Stream<DynamicTest> gossipTopic() {
    return cases("gossip_topic").map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      Map<String, Object> codec = Fixtures.get(c.body(), "codec");
      String network = (String) codec.get("networkName");
      String kind = (String) codec.get("topicKind");
      GossipTopic t = switch (kind) {
        case "block" -> GossipTopic.block(network);
        case "aggregation" -> GossipTopic.aggregation(network);
        case "attestation" -> GossipTopic.attestation(network, Fixtures.int32(codec.get("subnetId")));
        default -> throw new AssertionError("unknown topicKind " + kind);
      };
      String expected = Fixtures.get(c.body(), "output", "topicString");
      assertThat(t.format()).isEqualTo(expected);
      assertThat(GossipTopic.parse(expected)).isEqualTo(t);
      Boolean forkValid = Fixtures.get(c.body(), "output", "forkValid");
      if (forkValid != null) {
        String exp = (String) codec.get("expectedNetworkName");
        assertThat(GossipTopic.parse(expected).isForNetwork(exp)).isEqualTo(forkValid);
        if (forkValid) {
          assertThat(GossipTopic.parse(expected, exp)).isEqualTo(t);
        } else {
          assertThatThrownBy(() -> GossipTopic.parse(expected, exp)).isInstanceOf(DecodeException.class);
        }
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> gossipMessageId() {
    return cases("gossip_message_id").map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      Map<String, Object> codec = Fixtures.get(c.body(), "codec");
      byte[] topic = Hex.decode((String) codec.get("topic"));
      byte[] data = Hex.decode((String) codec.get("data"));
      byte[] domain = Hex.decode((String) codec.get("domain"));
      String expected = Fixtures.get(c.body(), "output", "messageId");
      assertThat(Hex.encode(MessageId.compute(domain, topic, data))).isEqualTo(strip(expected));
      // the high-level variant picks the domain itself: "data" here is the payload, so for the
      // valid domain it must be what a valid snappy block of it decompresses to
      String topicStr = new String(topic, StandardCharsets.UTF_8);
      if (domain[0] == 1) {
        byte[] wire = SnappyBlock.compress(data);
        assertThat(Hex.encode(MessageId.compute(topicStr, wire))).isEqualTo(strip(expected));
      } else if (MessageId.tryDecompress(data, 1 << 20) == null) {
        assertThat(Hex.encode(MessageId.compute(topicStr, data))).isEqualTo(strip(expected));
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> gossipsubRpc() {
    return cases("gossipsub_rpc").map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      Map<String, Object> codec = Fixtures.get(c.body(), "codec");
      Rpc rpc = rpcFromFixture(codec);
      byte[] expected = Hex.decode((String) Fixtures.get(c.body(), "output", "encoded"));
      assertThat(Hex.encode(RpcCodec.encode(rpc))).isEqualTo(Hex.encode(expected));
      assertThat(RpcCodec.encodedSize(rpc)).isEqualTo(expected.length);
      Rpc decoded = RpcCodec.decode(expected);
      assertThat(Hex.encode(RpcCodec.encode(decoded))).isEqualTo(Hex.encode(expected));
      if (rpc.control() == null || !rpc.control().isEmpty()) {
        assertThat(decoded).isEqualTo(rpc);
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> gossipsubRpcDecodeFailure() {
    return cases("decode_failure")
        .filter(c -> "gossipsub_rpc".equals(Fixtures.get(c.body(), "codec", "decoder")))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          byte[] raw = Hex.decode((String) Fixtures.get(c.body(), "codec", "rawBytes"));
          assertThat((String) Fixtures.get(c.body(), "rejectionReason")).isEqualTo("DECODE_ERROR");
          assertThatThrownBy(() -> RpcCodec.decode(raw)).isInstanceOf(DecodeException.class);
        }));
  }

  @TestFactory
  Stream<DynamicTest> gossipPipeline() {
    Map<String, Object> p = Fixtures.get(Fixtures.readObject(Fixtures.requireRoot().resolve("vectors.json")),
        "computed_extra", "gossip_pipeline");
    String topic = (String) p.get("topic");
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(DynamicTest.dynamicTest("gossip_pipeline", () -> {
      byte[] ssz = Hex.decode((String) p.get("ssz"));
      byte[] wire = Hex.decode((String) p.get("raw_snappy_wire_data"));
      // the reference compressor is not canonical: compare payloads, not compressed bytes
      assertThat(SnappyBlock.decompress(wire, 1 << 20)).isEqualTo(ssz);
      assertThat(SnappyBlock.decompress(SnappyBlock.compress(ssz), 1 << 20)).isEqualTo(ssz);
      MessageId.Prepared prep = MessageId.prepare(topic, wire, 1 << 20);
      assertThat(prep.decompressed()).isEqualTo(ssz);
      assertThat(Hex.encode(prep.id())).isEqualTo(strip((String) p.get("message_id")));
      // our own compression of the same SSZ yields the same id (the id hashes the payload)
      assertThat(Hex.encode(MessageId.compute(topic, SnappyBlock.compress(ssz))))
          .isEqualTo(strip((String) p.get("message_id")));
      Rpc rpc = Rpc.ofPublish(List.of(Message.anonymous(topic, wire)));
      assertThat(Hex.encode(RpcCodec.encode(rpc))).isEqualTo(strip((String) p.get("rpc_publish_protobuf")));
      assertFrame(rpc, (String) p.get("rpc_publish_stream_frame"));
      Map<String, Object> inv = Fixtures.get(p, "invalid_snappy_example");
      assertThat(Hex.encode(MessageId.compute(topic, Hex.decode((String) inv.get("wire_data")))))
          .isEqualTo(strip((String) inv.get("message_id")));
    }));
    tests.add(DynamicTest.dynamicTest("subscribe_rpc_stream_frame", () ->
        assertFrame(Rpc.ofSubscriptions(List.of(new SubOpts(true, topic))), (String) p.get("subscribe_rpc_stream_frame"))));
    tests.add(DynamicTest.dynamicTest("graft_rpc_stream_frame", () ->
        assertFrame(Rpc.ofControl(control(List.of(), List.of(), List.of(new ControlGraft(topic)), List.of(), List.of())),
            (String) p.get("graft_rpc_stream_frame"))));
    tests.add(DynamicTest.dynamicTest("prune_backoff60_rpc_stream_frame", () ->
        assertFrame(Rpc.ofControl(control(List.of(), List.of(), List.of(), List.of(new ControlPrune(topic, 60)), List.of())),
            (String) p.get("prune_backoff60_rpc_stream_frame"))));
    return tests.stream();
  }

  private static void assertFrame(Rpc rpc, String expectedHex) throws DecodeException {
    byte[] expected = Hex.decode(expectedHex);
    assertThat(Hex.encode(RpcFrames.encode(rpc))).isEqualTo(Hex.encode(expected));
    ByteBuf buf = Unpooled.buffer();
    try {
      RpcFrames.encode(rpc, buf);
      byte[] got = new byte[buf.readableBytes()];
      buf.getBytes(buf.readerIndex(), got);
      assertThat(got).isEqualTo(expected);
    } finally {
      buf.release();
    }
    List<byte[]> frames = new RpcFrameDecoder().decode(Unpooled.wrappedBuffer(expected));
    assertThat(frames).hasSize(1);
    assertThat(RpcCodec.decode(frames.get(0))).isEqualTo(rpc);
  }

  // ------------------------------------------------------------------ fixture → model

  @SuppressWarnings("unchecked")
  static Rpc rpcFromFixture(Map<String, Object> codec) {
    List<SubOpts> subs = new ArrayList<>();
    for (Object o : (List<Object>) codec.getOrDefault("subscriptions", List.of())) {
      Map<String, Object> m = (Map<String, Object>) o;
      subs.add(new SubOpts((Boolean) m.get("subscribe"), (String) m.get("topicId")));
    }
    List<Message> publish = new ArrayList<>();
    for (Object o : (List<Object>) codec.getOrDefault("publish", List.of())) {
      Map<String, Object> m = (Map<String, Object>) o;
      publish.add(new Message(hex(m.get("fromPeer")), hex(m.get("data")), hex(m.get("seqno")),
          (String) m.get("topic"), hex(m.get("signature")), hex(m.get("key"))));
    }
    ControlMessage control = null;
    Map<String, Object> c = (Map<String, Object>) codec.get("control");
    if (c != null) {
      control = controlFromFixture(c);
    }
    return new Rpc(subs, publish, control);
  }

  @SuppressWarnings("unchecked")
  static ControlMessage controlFromFixture(Map<String, Object> c) {
    List<ControlIHave> ihave = new ArrayList<>();
    for (Object o : (List<Object>) c.getOrDefault("ihave", List.of())) {
      Map<String, Object> m = (Map<String, Object>) o;
      ihave.add(new ControlIHave((String) m.get("topicId"), ids(m.get("messageIds"))));
    }
    List<ControlIWant> iwant = new ArrayList<>();
    for (Object o : (List<Object>) c.getOrDefault("iwant", List.of())) {
      iwant.add(new ControlIWant(ids(((Map<String, Object>) o).get("messageIds"))));
    }
    List<ControlGraft> graft = new ArrayList<>();
    for (Object o : (List<Object>) c.getOrDefault("graft", List.of())) {
      graft.add(new ControlGraft((String) ((Map<String, Object>) o).get("topicId")));
    }
    List<ControlPrune> prune = new ArrayList<>();
    for (Object o : (List<Object>) c.getOrDefault("prune", List.of())) {
      Map<String, Object> m = (Map<String, Object>) o;
      Object b = m.get("backoff");
      prune.add(new ControlPrune((String) m.get("topicId"), b == null ? 0 : Fixtures.u64(b)));
    }
    List<ControlIDontWant> idw = new ArrayList<>();
    for (Object o : (List<Object>) c.getOrDefault("idontwant", List.of())) {
      idw.add(new ControlIDontWant(ids(((Map<String, Object>) o).get("messageIds"))));
    }
    return control(ihave, iwant, graft, prune, idw);
  }

  private static ControlMessage control(List<ControlIHave> ihave, List<ControlIWant> iwant,
      List<ControlGraft> graft, List<ControlPrune> prune, List<ControlIDontWant> idw) {
    return new ControlMessage(ihave, iwant, graft, prune, idw);
  }

  @SuppressWarnings("unchecked")
  private static List<byte[]> ids(Object list) {
    List<byte[]> out = new ArrayList<>();
    for (Object o : (List<Object>) list) {
      out.add(Hex.decode((String) o));
    }
    return out;
  }

  private static byte[] hex(Object o) {
    return o == null ? null : Hex.decode((String) o);
  }

  private static String strip(String hex) {
    return hex.startsWith("0x") ? hex.substring(2) : hex;
  }

  private static Stream<Fixtures.Case> cases(String kind) {
    List<Fixtures.Case> all = Fixtures.cases(DIR);
    List<Fixtures.Case> out = all.stream()
        .filter(c -> kind.equals(Fixtures.get(c.body(), "codec", "kind")))
        .toList();
    assertThat(out).as("fixtures of kind " + kind).isNotEmpty();
    return out.stream();
  }
}
