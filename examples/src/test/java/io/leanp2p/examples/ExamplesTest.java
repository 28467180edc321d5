package io.leanp2p.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the examples (so the test command builds AND runs them) and keeps the README snippet true. */
class ExamplesTest {
  private static final Path ROOT = Path.of(System.getProperty("leanp2p.repoRoot", ".."));

  @Test
  @Timeout(180)
  void twoHostsGossipAnswerStatusAndSyncByRange() throws Exception {
    TwoNodeExample.Result r = TwoNodeExample.run(Duration.ofSeconds(60));
    assertThat(r.gossipSlot()).isEqualTo(9);
    assertThat(r.peerHeadSlot()).isEqualTo(9);
    assertThat(r.syncedSlots()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(r.slotsOfB()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
  }

  @Test
  @Timeout(120)
  void aHostExportsItsNetworkMetricsToAPrometheusRegistry() throws Exception {
    try (MinimalHost a = new MinimalHost("metrics-a", List.of(), Duration.ofSeconds(60))) {
      PrometheusRegistry registry = new PrometheusRegistry();
      a.registerMetrics(registry);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
      String text = out.toString(StandardCharsets.UTF_8);
      assertThat(text).contains("# TYPE leanp2p_command_queue_depth gauge", "# TYPE leanp2p_loop_lag_seconds histogram");
    }
  }

  /** The README's "Embedding the library" snippet is the tagged region of MinimalHost, verbatim. */
  @Test
  void theReadmeSnippetIsCutFromTheCompiledExample() throws Exception {
    List<String> source = Files.readAllLines(
        ROOT.resolve("examples/src/main/java/io/leanp2p/examples/MinimalHost.java"), StandardCharsets.UTF_8);
    int from = indexOf(source, "// tag::embed[]") + 1;
    int to = indexOf(source, "// end::embed[]");
    assertThat(to).isGreaterThan(from);
    String snippet = source.subList(from, to).stream()
        .map(l -> l.startsWith("  ") ? l.substring(2) : l)
        .collect(Collectors.joining("\n"));
    String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    assertThat(readme).as("README.md must contain the tagged region of MinimalHost.java (de-indented by 2)")
        .contains(snippet);
  }

  private static int indexOf(List<String> lines, String marker) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError("marker " + marker + " not found");
  }
}
