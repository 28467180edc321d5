package io.leanp2p.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchResultTest {
  @Test
  void replacesOnlyTheGossipBenchSection() {
    String doc = "# Benchmarks\n\nintro\n\n## Codecs\n\nold codec table\n\n## Gossip bench\n\nold numbers\n\n## Later\n\nkeep me\n";
    String out = BenchResult.replaceSection(doc, "Gossip bench", "new table");
    assertThat(out).contains("## Codecs\n\nold codec table", "## Gossip bench\n\nnew table\n", "## Later\n\nkeep me");
    assertThat(out).doesNotContain("old numbers");
    assertThat(BenchResult.replaceSection(out, "Gossip bench", "newer")).contains("newer").doesNotContain("new table");
  }

  @Test
  void keepsAHeadingWithASuffix() {
    String doc = "# B\n\n## Gossip bench (lean-p2p bench)\n\nTBD\n\n## Other\n";
    String out = BenchResult.replaceSection(doc, "Gossip bench", "table");
    assertThat(out).isEqualTo("# B\n\n## Gossip bench (lean-p2p bench)\n\ntable\n\n## Other\n");
  }

  @Test
  void appendsTheSectionWhenAbsent() {
    assertThat(BenchResult.replaceSection("# Benchmarks\n", "Gossip bench", "t")).isEqualTo("# Benchmarks\n\n## Gossip bench\n\nt\n");
    assertThat(BenchResult.replaceSection("", "Gossip bench", "t")).isEqualTo("## Gossip bench\n\nt\n");
  }

  @Test
  void markdownTableHasOneRowPerResult() {
    String t = BenchResult.markdownTable(List.of(
        new BenchResult("ours", "js", "quic", 65536, 200, 1.234, 5.678, 1000, 812.4, 53.2, 0.91, 1.2, 0, null),
        BenchResult.failed("js", "js", "tcp", 1024, "js peer not installed")));
    assertThat(t.lines()).hasSize(4);
    assertThat(t).contains("| ours → js | QUIC | 64 KiB | 1.23 | 5.68 | 812 | 53.2 | 0.91 / 1.20 | 0 |");
    assertThat(t).contains("| js → js | TCP | 1 KiB |").contains("not run: js peer not installed");
  }

  @Test
  void quantiles() {
    assertThat(BenchResult.quantile(new double[] {5, 1, 4, 2, 3}, 0.5)).isEqualTo(3);
    assertThat(BenchResult.quantile(new double[] {5, 1, 4, 2, 3}, 0.99)).isEqualTo(5);
    assertThat(BenchResult.quantile(new double[0], 0.5)).isNaN();
    assertThat(BenchResult.sizeText(524288)).isEqualTo("512 KiB");
  }
}
