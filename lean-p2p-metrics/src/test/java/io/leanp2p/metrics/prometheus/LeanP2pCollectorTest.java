package io.leanp2p.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.node.metrics.LatencyHistogram;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeanP2pCollectorTest {
  static MetricsSnapshot sample(long published) {
    LatencyHistogram h = new LatencyHistogram();
    h.recordNanos(2_000_000); // 2 ms -> the 2.5 ms bucket
    h.recordNanos(700_000_000); // 0.7 s -> the 1 s bucket
    return new MetricsSnapshot.Builder()
        .counter("leanp2p_gossip_published_total", "Messages published", Map.of("topic", "block"), published)
        .gauge("leanp2p_peers", "Connected peers", Map.of(), 3)
        .histogram("leanp2p_request_seconds", "Request latency", Map.of("protocol", "status"), h)
        .build();
  }

  static String text(MetricSnapshots s) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, s);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void convertsCountersGaugesAndHistogramsWithSourceLabels() throws Exception {
    LeanP2pCollector c = new LeanP2pCollector(() -> List.of(
        new LeanP2pCollector.Source(Map.of("node", "n0"), () -> sample(5)),
        new LeanP2pCollector.Source(Map.of("node", "n1"), () -> sample(7))));
    String text = text(c.collect());
    assertThat(text).contains("# TYPE leanp2p_gossip_published_total counter");
    assertThat(text).contains("leanp2p_gossip_published_total{node=\"n0\",topic=\"block\"} 5.0");
    assertThat(text).contains("leanp2p_gossip_published_total{node=\"n1\",topic=\"block\"} 7.0");
    assertThat(text).contains("# TYPE leanp2p_peers gauge");
    assertThat(text).contains("leanp2p_peers{node=\"n0\"} 3.0");
    assertThat(text).contains("# TYPE leanp2p_request_seconds histogram");
    assertThat(text).contains("leanp2p_request_seconds_bucket{node=\"n0\",protocol=\"status\",le=\"0.0025\"} 1");
    assertThat(text).contains("leanp2p_request_seconds_bucket{node=\"n0\",protocol=\"status\",le=\"1.0\"} 2");
    assertThat(text).contains("leanp2p_request_seconds_bucket{node=\"n0\",protocol=\"status\",le=\"+Inf\"} 2");
    assertThat(text).contains("leanp2p_request_seconds_count{node=\"n0\",protocol=\"status\"} 2");
  }

  @Test
  void leanMetricsNamesTypesAndLabelsSurviveTheConversion() throws Exception {
    MetricsSnapshot.Builder b = new MetricsSnapshot.Builder()
        .gauge("lean_connected_peers", "Number of connected peers", Map.of("client", "lean-p2p_0"), 2)
        .gauge("lean_gossip_mesh_peers", "Number of peers in the gossipsub mesh", Map.of("client", "lean-p2p_0"), 1);
    b.counter("lean_peer_connection_events_total", "Total number of peer connection events",
        Map.of("direction", "outbound", "result", "success"), 4);
    b.counter("lean_peer_disconnection_events_total", "Total number of peer disconnection events",
        Map.of("direction", "inbound", "reason", "remote_close"), 1);
    MetricsSnapshot snap = b.build();
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(LeanP2pCollector.of(() -> snap));
    String text = text(registry.scrape());
    assertThat(text).contains("# TYPE lean_connected_peers gauge", "lean_connected_peers{client=\"lean-p2p_0\"} 2.0");
    assertThat(text).contains("# TYPE lean_gossip_mesh_peers gauge", "lean_gossip_mesh_peers{client=\"lean-p2p_0\"} 1.0");
    assertThat(text).contains("# TYPE lean_peer_connection_events_total counter",
        "lean_peer_connection_events_total{direction=\"outbound\",result=\"success\"} 4.0");
    assertThat(text).contains("# TYPE lean_peer_disconnection_events_total counter",
        "lean_peer_disconnection_events_total{direction=\"inbound\",reason=\"remote_close\"} 1.0");
    assertThat(text).doesNotContain("_total_total");
  }

  @Test
  void eachScrapeReadsAFreshSnapshotAndSkipsFailingSources() throws Exception {
    AtomicLong n = new AtomicLong();
    LeanP2pCollector c = new LeanP2pCollector(() -> List.of(
        new LeanP2pCollector.Source(Map.of(), () -> sample(n.incrementAndGet())),
        new LeanP2pCollector.Source(Map.of("node", "x"), () -> {
          throw new IllegalStateException("closed");
        })));
    assertThat(text(c.collect())).contains("leanp2p_gossip_published_total{topic=\"block\"} 1.0");
    assertThat(text(c.collect())).contains("leanp2p_gossip_published_total{topic=\"block\"} 2.0").doesNotContain("node=\"x\"");
  }

  @Test
  void aNameWithTwoTypesKeepsTheFirstAndDuplicatesKeepTheFirstValue() throws Exception {
    MetricsSnapshot snap = new MetricsSnapshot.Builder()
        .gauge("leanp2p_x", "", Map.of("k", "v"), 1)
        .counter("leanp2p_x", "", Map.of("k", "w"), 9)
        .gauge("leanp2p_x", "", Map.of("k", "v"), 2)
        .build();
    String text = text(LeanP2pCollector.of(() -> snap).collect());
    assertThat(text).contains("leanp2p_x{k=\"v\"} 1.0").doesNotContain("k=\"w\"").doesNotContain("2.0");
  }

  @Test
  void aHistogramWithoutAnInfBoundGetsOne() {
    MetricsSnapshot.Sample s = new MetricsSnapshot.Sample("h", "", MetricsSnapshot.Type.HISTOGRAM, Map.of(), 3.0,
        new double[] {0.1, 1.0}, new long[] {1, 2}, 5);
    var b = LeanP2pCollector.buckets(s);
    assertThat(b.size()).isEqualTo(3);
    assertThat(b.getUpperBound(2)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(b.getCount(0)).isEqualTo(1);
    assertThat(b.getCount(1)).isEqualTo(1);
    assertThat(b.getCount(2)).isEqualTo(3);
  }
}
