package io.leanp2p.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.cli.UsageException;
import io.leanp2p.metrics.prometheus.LeanP2pCollector;
import io.leanp2p.node.metrics.MetricsSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MetricsServerTest {
  static final MetricsSnapshot SNAP = new MetricsSnapshot.Builder()
      .counter("leanp2p_gossip_published_total", "Messages published", Map.of("topic", "block"), 9)
      .build();

  @Test
  @Timeout(30)
  void servesMetricsOverHttp() throws Exception {
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0,
        () -> List.of(new LeanP2pCollector.Source(Map.of("node", "n0"), () -> SNAP)))) {
      HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> r = c.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("leanp2p_gossip_published_total{node=\"n0\",topic=\"block\"} 9.0");
    }
  }

  @Test
  @Timeout(30)
  void aPortInUseIsAUsageErrorThatSaysWhatToDo() {
    try (MetricsServer first = MetricsServer.start("127.0.0.1", 0, List::of)) {
      assertThatThrownBy(() -> MetricsServer.start("127.0.0.1", first.port(), List::of))
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("--metrics-port");
    }
  }
}
