package io.leanp2p.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.node.metrics.LatencyHistogram;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PrometheusAdapterTest {
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

  static String scrape(PrometheusAdapter a) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, a.collect());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void convertsCountersGaugesAndHistogramsWithNodeLabels() throws Exception {
    PrometheusAdapter a = new PrometheusAdapter(() -> List.of(
        new PrometheusAdapter.Source(Map.of("node", "n0"), () -> sample(5)),
        new PrometheusAdapter.Source(Map.of("node", "n1"), () -> sample(7))));
    String text = scrape(a);
    assertThat(text).contains("# TYPE leanp2p_gossip_published_total counter");
    assertThat(text).contains("leanp2p_gossip_published_total{node=\"n0\",topic=\"block\"} 5.0");
    assertThat(text).contains("leanp2p_gossip_published_total{node=\"n1\",topic=\"block\"} 7.0");
    assertThat(text).contains("leanp2p_peers{node=\"n0\"} 3.0");
    assertThat(text).contains("leanp2p_request_seconds_bucket{node=\"n0\",protocol=\"status\",le=\"0.0025\"} 1");
    assertThat(text).contains("leanp2p_request_seconds_bucket{node=\"n0\",protocol=\"status\",le=\"1.0\"} 2");
    assertThat(text).contains("leanp2p_request_seconds_bucket{node=\"n0\",protocol=\"status\",le=\"+Inf\"} 2");
    assertThat(text).contains("leanp2p_request_seconds_count{node=\"n0\",protocol=\"status\"} 2");
  }

  @Test
  void eachScrapeReadsAFreshSnapshotAndSkipsFailingSources() throws Exception {
    AtomicLong n = new AtomicLong();
    PrometheusAdapter a = new PrometheusAdapter(() -> List.of(
        new PrometheusAdapter.Source(Map.of(), () -> sample(n.incrementAndGet())),
        new PrometheusAdapter.Source(Map.of("node", "x"), () -> {
          throw new IllegalStateException("closed");
        })));
    assertThat(scrape(a)).contains("leanp2p_gossip_published_total{topic=\"block\"} 1.0");
    assertThat(scrape(a)).contains("leanp2p_gossip_published_total{topic=\"block\"} 2.0");
  }

  @Test
  @Timeout(10)
  void servesMetricsOverHttp() throws Exception {
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0,
        () -> List.of(new PrometheusAdapter.Source(Map.of("node", "n0"), () -> sample(9))))) {
      HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
      HttpResponse<String> r = c.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("leanp2p_gossip_published_total{node=\"n0\",topic=\"block\"} 9.0");
    }
  }
}
