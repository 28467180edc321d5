package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The devnet parent ↔ worker line protocol: every message survives format → line → parse. */
class WorkerProtocolTest {
  private static Map<String, Object> roundTrip(Map<String, Object> m) throws DecodeException {
    String line = WorkerProtocol.line(m);
    assertThat(line).doesNotContain("\n");
    return WorkerProtocol.parse(line);
  }

  private static byte[] root(int b) {
    byte[] r = new byte[32];
    java.util.Arrays.fill(r, (byte) b);
    return r;
  }

  @Test
  void commandsRoundTrip() throws DecodeException {
    Map<String, Object> p = roundTrip(WorkerProtocol.propose(3, 17, root(0xab), Long.MIN_VALUE));
    assertThat(WorkerProtocol.string(p, "cmd")).isEqualTo("propose");
    assertThat(WorkerProtocol.number(p, "node")).isEqualTo(3);
    assertThat(WorkerProtocol.number(p, "slot")).isEqualTo(17);
    assertThat(WorkerProtocol.number(p, "seed")).isEqualTo(Long.MIN_VALUE);
    assertThat(WorkerProtocol.root(p.get("parent"), "parent")).isEqualTo(root(0xab));

    Map<String, Object> s = roundTrip(WorkerProtocol.start(5, "quic", List.of("/ip4/127.0.0.1/udp/0/quic-v1")));
    assertThat(WorkerProtocol.strings(s, "listen")).containsExactly("/ip4/127.0.0.1/udp/0/quic-v1");
    assertThat(WorkerProtocol.string(s, "transport")).isEqualTo("quic");

    Map<Long, byte[]> expected = new TreeMap<>(Map.of(1L, root(1), 2L, root(2)));
    Map<String, Object> y = roundTrip(WorkerProtocol.sync(8, "16Uiu2HAm", expected));
    assertThat(WorkerProtocol.string(y, "peer")).isEqualTo("16Uiu2HAm");
    Map<Long, byte[]> back = WorkerProtocol.expected(y);
    assertThat(back).containsOnlyKeys(1L, 2L);
    assertThat(back.get(2L)).isEqualTo(root(2));
  }

  @Test
  void repliesRoundTrip() throws DecodeException {
    DevnetMember.Proposal p = WorkerProtocol.proposal(roundTrip(WorkerProtocol.reply(9,
        WorkerProtocol.proposal(new DevnetMember.Proposal(root(7), 123_456_789_012_345L, true)))));
    assertThat(p.root()).isEqualTo(root(7));
    assertThat(p.publishedNanos()).isEqualTo(123_456_789_012_345L);
    assertThat(p.accepted()).isTrue();

    NodeRow row = new NodeRow("n3", "tcp", 4, 3, 100, 50, 1.25, 7, 30, 2, -1, 0, 5);
    assertThat(WorkerProtocol.row(roundTrip(WorkerProtocol.row(row)))).isEqualTo(row);

    DevnetMember.Counters c = new DevnetMember.Counters(10, 2, 1, 0);
    assertThat(WorkerProtocol.counters(roundTrip(WorkerProtocol.counters(c)))).isEqualTo(c);

    DevnetMember.MeshCounts mc = new DevnetMember.MeshCounts(4, 6, List.of("16Uiu2HAmA", "16Uiu2HAmB"),
        List.of("16Uiu2HAmB"));
    assertThat(WorkerProtocol.mesh(roundTrip(WorkerProtocol.mesh(mc)))).isEqualTo(mc);

    DevnetMember.SyncResult sr = new DevnetMember.SyncResult(3, -1, List.of("n0 reported no head"));
    assertThat(WorkerProtocol.syncResult(roundTrip(WorkerProtocol.syncResult(sr)))).isEqualTo(sr);

    DevnetMember.Started st = new DevnetMember.Started("16Uiu2HAm", List.of("/ip4/127.0.0.1/tcp/1234/p2p/16Uiu2HAm"));
    assertThat(WorkerProtocol.started(roundTrip(WorkerProtocol.started(st)))).isEqualTo(st);

    Map<String, Object> e = roundTrip(WorkerProtocol.error(4, "boom \"quoted\"\nsecond line"));
    assertThat(WorkerProtocol.number(e, "id")).isEqualTo(4);
    assertThat(e.get("error")).isEqualTo("boom \"quoted\"\nsecond line");
  }

  @Test
  void eventsRoundTrip() throws DecodeException {
    Map<String, Object> b = roundTrip(WorkerProtocol.block(12, 6, Long.MAX_VALUE));
    assertThat(b.get("event")).isEqualTo("block");
    assertThat(WorkerProtocol.number(b, "slot")).isEqualTo(12);
    assertThat(WorkerProtocol.number(b, "node")).isEqualTo(6);
    assertThat(WorkerProtocol.number(b, "ts")).isEqualTo(Long.MAX_VALUE);
    Map<String, Object> a = roundTrip(WorkerProtocol.attestation(7, 8, 3));
    assertThat(a.get("event")).isEqualTo("attestation");
    assertThat(WorkerProtocol.number(a, "slot")).isEqualTo(7);
    assertThat(WorkerProtocol.number(a, "validator")).isEqualTo(8);
    assertThat(WorkerProtocol.number(a, "node")).isEqualTo(3);
    Map<String, Object> h = roundTrip(WorkerProtocol.hello(42, null));
    assertThat(h).containsEntry("event", "hello").containsEntry("metricsPort", null);
  }

  @Test
  void badFieldsAreDecodeExceptions() throws DecodeException {
    assertThatThrownBy(() -> WorkerProtocol.parse("not json")).isInstanceOf(DecodeException.class);
    Map<String, Object> m = WorkerProtocol.parse("{\"slot\":1.5,\"node\":\"x\",\"ts\":99999999999999999999,"
        + "\"root\":\"abcd\",\"addrs\":[1],\"expected\":{\"x\":\"00\"}}");
    assertThatThrownBy(() -> WorkerProtocol.number(m, "slot")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> WorkerProtocol.number(m, "node")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> WorkerProtocol.number(m, "ts")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> WorkerProtocol.number(m, "missing")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> WorkerProtocol.root(m.get("root"), "root")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> WorkerProtocol.root("zz".repeat(32), "root")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> WorkerProtocol.started(m)).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> WorkerProtocol.expected(m)).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> WorkerProtocol.row(m)).isInstanceOf(DecodeException.class);
  }
}
