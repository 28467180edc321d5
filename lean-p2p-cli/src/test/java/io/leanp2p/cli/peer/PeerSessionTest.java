package io.leanp2p.cli.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.gossip.MessageId;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.peerclient.JsonLines;
import io.leanp2p.util.Hex;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PeerSessionTest {
  /** A fake network: records calls, answers from fields, fails on duplicates like the real one. */
  static final class FakeBackend implements PeerBackend {
    final List<String> calls = new ArrayList<>();
    final Set<String> published = new HashSet<>();
    final CompletableFuture<Dialed> pendingDial = new CompletableFuture<>();
    boolean closed;
    byte[] lastPayload;

    @Override
    public CompletableFuture<Dialed> dial(String addr, boolean persistent, Duration timeout) {
      calls.add("dial " + addr + (persistent ? " persistent " : " ") + timeout.toMillis());
      return pendingDial;
    }

    @Override
    public CompletableFuture<Published> publish(String topic, byte[] payload) {
      calls.add("publish " + topic + " " + payload.length);
      lastPayload = payload;
      if (!published.add(topic + Hex.encode(payload))) {
        return CompletableFuture.failedFuture(new IllegalStateException("duplicate message"));
      }
      return CompletableFuture.completedFuture(
          new Published(Hex.encode(MessageId.prepare(topic, payload, 10 << 20).id()), List.of("16UiuA", "16UiuB")));
    }

    @Override
    public CompletableFuture<Pong> ping(String peer, Duration timeout) {
      return CompletableFuture.completedFuture(new Pong("16UiuA", 1.25));
    }

    @Override
    public CompletableFuture<StatusResponse> status(String peer, byte[] data, Duration timeout) {
      return CompletableFuture.completedFuture(new StatusResponse("16UiuA", 0, data));
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
      calls.add("subscribe " + topic);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String topic) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("not subscribed to " + topic));
    }

    @Override
    public Info info() {
      return new Info("16UiuSelf", List.of("/ip4/127.0.0.1/tcp/1/p2p/16UiuSelf"), List.of("16UiuA"), Map.of("t", List.of("16UiuA")));
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  final FakeBackend backend = new FakeBackend();
  final StringWriter sink = new StringWriter();
  final AtomicLong clock = new AtomicLong(1_000_000_000L);
  final PeerSession session =
      new PeerSession(backend, new EventWriter(sink), () -> clock.getAndAdd(250_000), new SizedPayloads(new Random(1)));

  List<Map<String, Object>> events() throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : sink.toString().split("\n")) {
      if (!line.isEmpty()) {
        out.add(JsonLines.parseObject(line));
      }
    }
    return out;
  }

  Map<String, Object> last() throws Exception {
    List<Map<String, Object>> e = events();
    return e.get(e.size() - 1);
  }

  @Test
  void publishHexReportsLengthShaMsgIdTsAndRecipients() throws Exception {
    session.handleLine("{\"cmd\":\"publish\",\"topic\":\"/t\",\"dataHex\":\"0a0b0c\",\"id\":5}");
    Map<String, Object> e = last();
    assertThat(e.get("event")).isEqualTo("published");
    assertThat(e.get("id")).isEqualTo(5);
    assertThat(e.get("len")).isEqualTo(3);
    assertThat(e.get("sha256")).isEqualTo(PeerEvents.sha256Hex(new byte[] {10, 11, 12}));
    assertThat(e.get("msgId")).isEqualTo(Hex.encode(MessageId.prepare("/t", new byte[] {10, 11, 12}, 10 << 20).id()));
    assertThat(e.get("recipients")).isEqualTo(List.of("16UiuA", "16UiuB"));
    assertThat(e.get("ts")).isEqualTo(new BigDecimal("1000.000000"));
  }

  @Test
  void publishingTheSameBytesTwiceIsAnErrorEventWithTheId() throws Exception {
    session.handleLine("{\"cmd\":\"publish\",\"topic\":\"t\",\"dataHex\":\"00\",\"id\":1}");
    session.handleLine("{\"cmd\":\"publish\",\"topic\":\"t\",\"dataHex\":\"00\",\"id\":2}");
    Map<String, Object> e = last();
    assertThat(e).containsEntry("event", "error").containsEntry("cmd", "publish").containsEntry("id", 2);
    assertThat((String) e.get("error")).contains("duplicate");
  }

  @Test
  void sizedPublishesAreUniqueNotSnappyAndCarryCounterAndNonce() throws Exception {
    session.handleLine("{\"cmd\":\"publish\",\"topic\":\"t\",\"size\":1024}");
    byte[] first = backend.lastPayload;
    session.handleLine("{\"cmd\":\"publish\",\"topic\":\"t\",\"size\":1024}");
    byte[] second = backend.lastPayload;
    assertThat(first).hasSize(1024);
    assertThat(first).isNotEqualTo(second);
    assertThat(first[0]).isEqualTo((byte) 0);
    assertThat(second[0]).isEqualTo((byte) 1);
    assertThat(java.util.Arrays.copyOfRange(first, 8, 16)).isEqualTo(java.util.Arrays.copyOfRange(second, 8, 16));
    assertThat(SnappyBlock.isValid(first, 0, first.length, Integer.MAX_VALUE)).isFalse();
    assertThat(events()).allSatisfy(e -> assertThat(e.get("event")).isEqualTo("published"));
  }

  @Test
  void dialAnswersWhenTheConnectionIsUp() throws Exception {
    session.handleLine("{\"cmd\":\"dial\",\"addr\":\"/ip4/127.0.0.1/tcp/9/p2p/X\",\"id\":\"d\",\"timeoutMs\":1500}");
    assertThat(sink.toString()).isEmpty();
    assertThat(backend.calls).containsExactly("dial /ip4/127.0.0.1/tcp/9/p2p/X 1500");
    backend.pendingDial.complete(new PeerBackend.Dialed("X", "/ip4/127.0.0.1/tcp/9"));
    assertThat(last()).containsEntry("event", "dialed").containsEntry("peer", "X").containsEntry("id", "d")
        .containsEntry("addr", "/ip4/127.0.0.1/tcp/9");
  }

  @Test
  void aPersistentDialIsPassedOnAsSuch() throws Exception {
    session.handleLine("{\"cmd\":\"dial\",\"addr\":\"/ip4/127.0.0.1/tcp/9/p2p/X\",\"persistent\":true}");
    assertThat(backend.calls).singleElement().asString().startsWith("dial /ip4/127.0.0.1/tcp/9/p2p/X persistent ");
    backend.pendingDial.complete(new PeerBackend.Dialed("X", "/ip4/127.0.0.1/tcp/9"));
    assertThat(last()).containsEntry("event", "dialed").containsEntry("peer", "X");
  }

  @Test
  void failedDialIsAnErrorEvent() throws Exception {
    session.handleLine("{\"cmd\":\"dial\",\"addr\":\"/ip4/127.0.0.1/tcp/9\"}");
    backend.pendingDial.completeExceptionally(new java.util.concurrent.CompletionException(new RuntimeException("connection refused")));
    assertThat(last()).containsEntry("event", "error").containsEntry("cmd", "dial").containsEntry("error", "connection refused");
  }

  @Test
  void pingAndStatusReportWallTime() throws Exception {
    session.handleLine("{\"cmd\":\"ping\",\"peer\":\"16UiuA\"}");
    Map<String, Object> ping = last();
    assertThat(ping).containsEntry("event", "ping").containsEntry("peer", "16UiuA").containsEntry("rttMs", new BigDecimal("1.25"))
        .containsEntry("wallMs", new BigDecimal("0.250000"));
    session.handleLine("{\"cmd\":\"status\",\"peer\":\"16UiuA\",\"dataHex\":\"" + "ab".repeat(84) + "\"}");
    Map<String, Object> st = last();
    assertThat(st).containsEntry("event", "status-response").containsEntry("result", 0)
        .containsEntry("len", 84).containsEntry("dataHex", "ab".repeat(84));
    session.handleLine("{\"cmd\":\"status\",\"peer\":\"16UiuA\"}");
    assertThat(last()).containsEntry("len", 0).containsEntry("dataHex", "")
        .containsEntry("sha256", PeerEvents.sha256Hex(new byte[0]));
  }

  @Test
  void subscribeUnsubscribeAndInfo() throws Exception {
    session.handleLine("{\"cmd\":\"subscribe\",\"topic\":\"a\"}");
    assertThat(last()).containsEntry("event", "subscribed").containsEntry("topic", "a");
    session.handleLine("{\"cmd\":\"unsubscribe\",\"topic\":\"b\"}");
    assertThat(last()).containsEntry("event", "error").containsEntry("cmd", "unsubscribe").containsEntry("error", "not subscribed to b");
    session.handleLine("{\"cmd\":\"info\",\"id\":9}");
    assertThat(last()).containsEntry("event", "info").containsEntry("peerId", "16UiuSelf").containsEntry("peers", List.of("16UiuA"))
        .containsEntry("topics", Map.of("t", List.of("16UiuA"))).containsEntry("id", 9);
  }

  @Test
  void malformedLinesGetErrorEventsAndTheSessionKeepsRunning() throws Exception {
    assertThat(session.handleLine("{garbage")).isTrue();
    assertThat(session.handleLine("{\"cmd\":\"explode\",\"id\":3}")).isTrue();
    assertThat(session.handleLine("[]")).isTrue();
    session.handleLine("{\"cmd\":\"subscribe\",\"topic\":\"a\"}");
    List<Map<String, Object>> e = events();
    assertThat(e).hasSize(4);
    assertThat(e.get(0)).containsEntry("event", "error").containsEntry("cmd", null);
    assertThat(e.get(1)).containsEntry("event", "error").containsEntry("cmd", "explode").containsEntry("id", 3);
    assertThat(e.get(2)).containsEntry("event", "error");
    assertThat(e.get(3)).containsEntry("event", "subscribed");
  }

  @Test
  void stopClosesTheNetworkOnceAndPrintsStoppedLast() throws Exception {
    assertThat(session.handleLine("{\"cmd\":\"stop\",\"id\":\"s\"}")).isFalse();
    assertThat(backend.closed).isTrue();
    assertThat(session.handleLine("{\"cmd\":\"info\"}")).isFalse();
    session.stop(null);
    assertThat(events()).containsExactly(Map.of("event", "stopped", "id", "s"));
  }

  @Test
  void endOfInputStops() throws Exception {
    session.run(new BufferedReader(new StringReader("{\"cmd\":\"subscribe\",\"topic\":\"x\"}\n\n")));
    assertThat(backend.closed).isTrue();
    assertThat(events()).extracting(m -> m.get("event")).containsExactly("subscribed", "stopped");
  }

  @Test
  void everyOutputLineIsOneJsonObject() throws Exception {
    session.handleLine("{\"cmd\":\"publish\",\"topic\":\"line\\nbreak\",\"dataHex\":\"01\"}");
    assertThat(sink.toString().split("\n")).hasSize(1);
    assertThat(last()).containsEntry("topic", "line\nbreak");
  }

  @Test
  void messageEventHasTheProtocolFields() throws Exception {
    byte[] wire = SnappyBlock.compress("hello".getBytes());
    Map<String, Object> m = PeerEvents.message("t", wire, "aa", "16UiuA", 2_500_000L);
    assertThat(m.keySet()).containsExactly("event", "topic", "len", "sha256", "msgId", "from", "ts");
    assertThat(JsonLines.write(m)).contains("\"ts\":2.500000");
  }
}
