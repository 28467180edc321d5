package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.cli.bench.PeerCommands;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.peerclient.JsonLines;
import io.leanp2p.peerclient.PeerClient;
import io.leanp2p.testing.JsPeer;
import io.leanp2p.util.Hex;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Interop suite: ours ({@code lean-p2p peer} in a child JVM) against the js peer ({@link JsPeer}),
 * both driven by the one peer-protocol client ({@link PeerClient}), over TCP and QUIC, with ours as listener and as dialer.
 * Prints one pass/fail line per check and {@code N passed, N failed}.
 */
@Timeout(240)
class PeerProtocolInteropTest {
  private static final String TOPIC = "/leanconsensus/12345678/interop/ssz_snappy";
  private static final Duration T = Duration.ofSeconds(20);

  private final List<String> failures = new ArrayList<>();
  private int passed;

  private void check(String what, Runnable r) {
    try {
      r.run();
      passed++;
      System.out.println("PASS " + what);
    } catch (RuntimeException | AssertionError e) {
      failures.add(what + ": " + e.getMessage());
      System.out.println("FAIL " + what + ": " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }

  private static Predicate<Map<String, Object>> ev(String name, String key, Object value) {
    return e -> name.equals(e.get("event")) && value.equals(e.get(key));
  }

  @SuppressWarnings("unchecked")
  @ParameterizedTest(name = "{0}, ours as {1}")
  @CsvSource({"tcp,listener", "tcp,dialer", "quic,listener", "quic,dialer"})
  void scenario(String transport, String oursRole) throws Exception {
    JsPeer.assumeAvailable();
    Path root = JsPeer.repoRoot();
    PeerClient ours = PeerClient.start("ours", PeerCommands.ours(
        List.of("--topics", TOPIC, transport.equals("tcp") ? "--quic-port" : "--tcp-port", "off")), root,
        root.resolve("lean-p2p-cli/target/interop-logs"), Duration.ofSeconds(60));
    PeerClient js;
    try {
      js = JsPeer.start(JsPeer.Options.defaults().withTopics(TOPIC));
    } catch (RuntimeException | AssertionError e) {
      ours.close();
      throw e;
    }
    PeerClient listener = oursRole.equals("listener") ? ours : js;
    PeerClient dialer = oursRole.equals("listener") ? js : ours;
    String tag = transport + "/ours-" + oursRole + ": ";
    try {
      check(tag + "dial", () -> {
        Map<String, Object> d = dialer.request(Map.of("cmd", "dial", "addr", listener.addr(transport)), T);
        assertThat(d.get("event")).as(JsonLines.write(d)).isEqualTo("dialed");
        assertThat(d.get("peer")).isEqualTo(listener.peerId());
      });
      check(tag + "connected seen by both, with the transport in addr", () -> {
        String marker = transport.equals("quic") ? "/quic-v1" : "/tcp/";
        Map<String, Object> a = listener.awaitEvent(ev("connected", "peer", dialer.peerId()), T);
        Map<String, Object> b = dialer.awaitEvent(ev("connected", "peer", listener.peerId()), T);
        assertThat((String) a.get("addr")).contains(marker);
        assertThat((String) b.get("addr")).contains(marker);
        assertThat(a.get("direction")).isEqualTo("inbound");
        assertThat(b.get("direction")).isEqualTo("outbound");
      });
      check(tag + "subscriptions seen both ways", () -> {
        for (PeerClient[] pair : new PeerClient[][] {{ours, js}, {js, ours}}) {
          Map<String, Object> s = pair[0].awaitEvent(e -> "subscription".equals(e.get("event"))
              && pair[1].peerId().equals(e.get("peer")) && TOPIC.equals(e.get("topic")), T);
          assertThat(s.get("subscribed")).isEqualTo(true);
        }
      });
      // give the mesh a chance to form (graft), then publish either way
      try {
        ours.awaitEvent(ev("graft", "topic", TOPIC), Duration.ofSeconds(5));
      } catch (RuntimeException | AssertionError e) {
        // fanout publishing still delivers
      }
      Random random = new Random(42);
      byte[] snappyData = new byte[3000];
      random.nextBytes(snappyData);
      Arrays16.fillText(snappyData);
      String validSnappyHex = Hex.encode(SnappyBlock.compress(snappyData));
      for (PeerClient[] pair : new PeerClient[][] {{ours, js}, {js, ours}}) {
        PeerClient from = pair[0];
        PeerClient to = pair[1];
        for (Object[] payload : new Object[][] {{"1000 B", Map.of("size", 1000)},
            {"valid snappy", Map.of("dataHex", validSnappyHex)}, {"300 KiB", Map.of("size", 300 * 1024)}}) {
          check(tag + "gossip " + from.name() + " -> " + to.name() + " " + payload[0] + ", message-ids match", () -> {
            Map<String, Object> cmd = new java.util.LinkedHashMap<>();
            cmd.put("cmd", "publish");
            cmd.put("topic", TOPIC);
            @SuppressWarnings("unchecked")
            Map<String, Object> extra = (Map<String, Object>) payload[1];
            cmd.putAll(extra);
            if (cmd.containsKey("dataHex") && from.name().equals("js")) {
              // the same bytes twice on one topic would be a duplicate: vary the js copy
              byte[] other = snappyData.clone();
              other[0] ^= 1;
              cmd.put("dataHex", Hex.encode(SnappyBlock.compress(other)));
            }
            Map<String, Object> pub = from.request(cmd, T);
            assertThat(pub.get("event")).as(JsonLines.write(pub)).isEqualTo("published");
            assertThat((List<Object>) pub.get("recipients")).contains(to.peerId());
            Map<String, Object> msg = to.awaitEvent(ev("message", "msgId", pub.get("msgId")), T);
            assertThat(msg.get("sha256")).isEqualTo(pub.get("sha256"));
            assertThat(msg.get("len")).isEqualTo(pub.get("len"));
            assertThat(msg.get("topic")).isEqualTo(TOPIC);
            assertThat(msg.get("from")).isEqualTo(from.peerId());
          });
        }
      }
      for (PeerClient d : List.of(ours, js)) {
        check(tag + d.name() + " publish with zero peers is not an error", () -> {
          Map<String, Object> pub = d.request(Map.of("cmd", "publish", "topic", TOPIC + "-nobody", "size", 64), T);
          assertThat(pub.get("event")).as(JsonLines.write(pub)).isEqualTo("published");
          assertThat((List<?>) pub.get("recipients")).isEmpty();
        });
      }
      for (PeerClient[] pair : new PeerClient[][] {{ours, js}, {js, ours}}) {
        check(tag + "ping " + pair[0].name() + " -> " + pair[1].name(), () -> {
          Map<String, Object> p = pair[0].request(Map.of("cmd", "ping", "peer", pair[1].peerId()), T);
          assertThat(p.get("event")).as(JsonLines.write(p)).isEqualTo("ping");
          assertThat(((Number) p.get("rttMs")).doubleValue()).isGreaterThanOrEqualTo(0);
          assertThat(((Number) p.get("wallMs")).doubleValue()).isGreaterThan(0);
        });
      }
      for (PeerClient[] pair : new PeerClient[][] {{ours, js}, {js, ours}}) {
        for (int size : new int[] {84, 200_000, 0}) {
          check(tag + "status " + pair[0].name() + " -> " + pair[1].name() + " " + size + " B echoed", () -> {
            byte[] data = new byte[size];
            random.nextBytes(data);
            String sha = sha256(data);
            Map<String, Object> r = pair[0].request(Map.of("cmd", "status", "peer", pair[1].peerId(), "dataHex", Hex.encode(data)), T);
            assertThat(r.get("event")).as(firstLine(JsonLines.write(r))).isEqualTo("status-response");
            assertThat(((Number) r.get("result")).intValue()).as("result code " + r.get("dataHex")).isZero();
            assertThat(r.get("sha256")).isEqualTo(sha);
            assertThat(((Number) r.get("len")).intValue()).isEqualTo(size);
            Map<String, Object> served = pair[1].awaitEvent(ev("status-request", "sha256", sha), T);
            assertThat(served.get("peer")).isEqualTo(pair[0].peerId());
          });
        }
      }
      check(tag + "disconnect seen when the dialer stops", () -> {
        dialer.close();
        listener.awaitEvent(ev("disconnected", "peer", dialer.peerId()), T);
      });
    } finally {
      ours.close();
      js.close();
    }
    System.out.println(tag + passed + " passed, " + failures.size() + " failed");
    assertThat(failures).as(passed + " passed, " + failures.size() + " failed").isEmpty();
  }

  private static String sha256(byte[] b) {
    try {
      return Hex.encode(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Makes random bytes compressible text so that the snappy payload is a real compressed one. */
  static final class Arrays16 {
    static void fillText(byte[] b) {
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) ('a' + Math.floorMod(b[i], 16));
      }
    }
  }
}
