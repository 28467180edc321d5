package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scrapes {@code devnet --metrics-port} while it runs and checks each leanMetrics network metric:
 * its name, type and label values (leanMetrics' metrics.md), per node (the devnet's extra
 * {@code node} label), and that the connection counters move when the late node joins.
 */
class DevnetLeanMetricsTest {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  record Sample(String name, Map<String, String> labels, double value) {}

  static List<Sample> parse(String page) {
    List<Sample> out = new ArrayList<>();
    for (String line : page.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.matches()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return out;
  }

  static List<Sample> named(List<Sample> all, String name) {
    return all.stream().filter(s -> s.name().equals(name)).toList();
  }

  static String scrape(int port) throws Exception {
    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Every node has exactly one sample per combination of the label values, and no other labels. */
  static void checkLabels(List<Sample> samples, Set<String> nodes, String name, String keyA, Set<String> valuesA,
      String keyB, Set<String> valuesB) {
    assertThat(samples).as(name).isNotEmpty();
    Map<String, List<String>> seen = new LinkedHashMap<>();
    for (Sample s : samples) {
      assertThat(s.labels().keySet()).as(name + " " + s.labels()).containsExactlyInAnyOrder(keyA, keyB, "node");
      assertThat(s.labels().get(keyA)).as(name).isIn(valuesA);
      assertThat(s.labels().get(keyB)).as(name).isIn(valuesB);
      assertThat(s.value()).as(name).isGreaterThanOrEqualTo(0);
      seen.computeIfAbsent(s.labels().get("node"), k -> new ArrayList<>()).add(s.labels().get(keyA) + "/" + s.labels().get(keyB));
    }
    assertThat(seen.keySet()).as(name).containsAll(nodes);
    List<String> all = valuesA.stream().flatMap(a -> valuesB.stream().map(b -> a + "/" + b)).sorted().toList();
    seen.forEach((node, combos) -> assertThat(combos.stream().sorted().toList()).as(name + " of " + node).isEqualTo(all));
  }

  @Test
  @Timeout(150)
  void theLeanMetricsNetworkMetricsHaveTheirNamesTypesAndLabelsAndMoveAsPeersCome() throws Exception {
    int port = freePort();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.run(new PrintWriter(out, true),
        new PrintWriter(err, true), "devnet", "--nodes", "3", "--slots", "6", "--slot-ms", "900", "--block-size", "4096",
        "--late-join-slot", "2", "--seed", "3", "--metrics-port", Integer.toString(port)));
    String before = null;
    String after = null;
    while (!run.isDone() && after == null) {
      if (before == null && out.toString().contains("slot 1/6")) {
        before = scrape(port);
      }
      if (before != null && out.toString().contains("slot 5/6")) {
        after = scrape(port);
      }
      Thread.sleep(50); // watching another thread's table output for the slot to scrape at
    }
    assertThat(run.get(120, TimeUnit.SECONDS)).as(out + "\n" + err).isZero();
    assertThat(before).as(out.toString()).isNotNull();
    assertThat(after).as(out.toString()).isNotNull();

    for (String type : List.of("# TYPE lean_connected_peers gauge", "# TYPE lean_gossip_mesh_peers gauge",
        "# TYPE lean_peer_connection_events_total counter", "# TYPE lean_peer_disconnection_events_total counter")) {
      assertThat(before).contains(type);
      assertThat(after).contains(type);
    }
    List<Sample> b = parse(before);
    List<Sample> a = parse(after);
    Set<String> firstNodes = Set.of("n0", "n1", "n2");
    for (List<Sample> page : List.of(b, a)) {
      checkLabels(named(page, "lean_peer_connection_events_total"), firstNodes, "lean_peer_connection_events_total",
          "direction", Set.of("inbound", "outbound"), "result", Set.of("success", "timeout", "error"));
      checkLabels(named(page, "lean_peer_disconnection_events_total"), firstNodes, "lean_peer_disconnection_events_total",
          "direction", Set.of("inbound", "outbound"), "reason", Set.of("timeout", "remote_close", "local_close", "error"));
      for (String gauge : List.of("lean_connected_peers", "lean_gossip_mesh_peers")) {
        List<Sample> g = named(page, gauge);
        assertThat(g).as(gauge).isNotEmpty();
        for (Sample s : g) {
          assertThat(s.labels().keySet()).as(gauge + " " + s.labels()).containsExactlyInAnyOrder("client", "node");
          assertThat(s.labels().get("client")).as(gauge).isNotBlank();
        }
        Map<String, Double> perNode = g.stream().collect(Collectors.groupingBy(s -> s.labels().get("node"),
            Collectors.summingDouble(Sample::value)));
        for (String node : firstNodes) {
          assertThat(perNode.get(node)).as(gauge + " of " + node + " in\n" + page).isGreaterThanOrEqualTo(1);
        }
      }
    }
    // the full mesh of the first three nodes: each made or took two successful connections
    for (String node : firstNodes) {
      double ok = named(b, "lean_peer_connection_events_total").stream()
          .filter(s -> s.labels().get("node").equals(node) && s.labels().get("result").equals("success"))
          .mapToDouble(Sample::value).sum();
      assertThat(ok).as(node).isGreaterThanOrEqualTo(2);
    }
    // the late node n3 came: more successful connections than before, and n3 is exported too
    double successBefore = named(b, "lean_peer_connection_events_total").stream()
        .filter(s -> s.labels().get("result").equals("success")).mapToDouble(Sample::value).sum();
    double successAfter = named(a, "lean_peer_connection_events_total").stream()
        .filter(s -> s.labels().get("result").equals("success") && !s.labels().get("node").equals("n3"))
        .mapToDouble(Sample::value).sum();
    assertThat(successAfter).isGreaterThan(successBefore);
    assertThat(named(a, "lean_connected_peers").stream().anyMatch(s -> s.labels().get("node").equals("n3"))).isTrue();
  }
}
