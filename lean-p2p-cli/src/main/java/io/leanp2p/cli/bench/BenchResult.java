package io.leanp2p.cli.bench;

import java.util.List;
import java.util.Locale;

/**
 * One gossip bench measurement: publisher → subscriber over one transport with one payload size.
 *
 * @param latencyP50Ms publish → receive with one message in flight (CLOCK_MONOTONIC of both processes)
 * @param publisherCpu CPU time of the publisher process during the throughput run, in cores (1.0 = one core busy)
 * @param subscriberCpu the same for the subscriber process
 * @param lost messages published in the run but never received
 * @param error why the row has no numbers (null when it ran)
 */
public record BenchResult(
    String publisher,
    String subscriber,
    String transport,
    int size,
    int latencyCount,
    double latencyP50Ms,
    double latencyP99Ms,
    int throughputCount,
    double msgsPerSec,
    double mbPerSec,
    double publisherCpu,
    double subscriberCpu,
    long lost,
    String error) {

  public static BenchResult failed(String publisher, String subscriber, String transport, int size, String error) {
    return new BenchResult(publisher, subscriber, transport, size, 0, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, error);
  }

  /** Nearest-rank quantile of unsorted values (NaN when empty). */
  public static double quantile(double[] values, double q) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    int r = (int) Math.ceil(q * v.length);
    return v[Math.max(0, Math.min(v.length, r) - 1)];
  }

  /** A human size: 1 KiB, 64 KiB, 512 KiB, or bytes. */
  public static String sizeText(int size) {
    if (size % (1024 * 1024) == 0) {
      return size / (1024 * 1024) + " MiB";
    }
    return size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
  }

  /** The results as a Markdown table. */
  public static String markdownTable(List<BenchResult> results) {
    StringBuilder sb = new StringBuilder();
    sb.append("| publisher → subscriber | transport | payload | latency p50 (ms) | latency p99 (ms) | msgs/s | MB/s | CPU pub / sub (cores) | lost |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (BenchResult r : results) {
      if (r.error() != null) {
        sb.append(String.format(Locale.ROOT, "| %s → %s | %s | %s | – | – | – | – | – | not run: %s |%n", r.publisher(),
            r.subscriber(), r.transport().toUpperCase(Locale.ROOT), sizeText(r.size()), r.error().replace('|', '/')));
      } else {
        sb.append(String.format(Locale.ROOT, "| %s → %s | %s | %s | %.2f | %.2f | %.0f | %.1f | %.2f / %.2f | %d |%n", r.publisher(),
            r.subscriber(), r.transport().toUpperCase(Locale.ROOT), sizeText(r.size()), r.latencyP50Ms(),
            r.latencyP99Ms(), r.msgsPerSec(), r.mbPerSec(), r.publisherCpu(), r.subscriberCpu(), r.lost()));
      }
    }
    return sb.toString();
  }

  /**
   * Replaces the body of the section {@code ## heading} (or {@code ## heading (…)}) in a Markdown
   * document, up to the next heading of level 1 or 2, or appends the section when it is absent.
   */
  public static String replaceSection(String doc, String heading, String body) {
    String marker = "## " + heading;
    String[] lines = doc.split("\n", -1);
    int start = -1;
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i].strip();
      if (l.equals(marker) || l.startsWith(marker + " ")) {
        start = i;
        marker = l; // keep the document's own heading, e.g. "## Gossip bench (lean-p2p bench)"
        break;
      }
    }
    String section = marker + "\n\n" + body.strip() + "\n";
    if (start < 0) {
      String base = doc.isEmpty() || doc.endsWith("\n") ? doc : doc + "\n";
      return base + (base.isEmpty() ? "" : "\n") + section;
    }
    int end = lines.length;
    for (int i = start + 1; i < lines.length; i++) {
      if (lines[i].startsWith("## ") || lines[i].startsWith("# ")) {
        end = i;
        break;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < start; i++) {
      sb.append(lines[i]).append('\n');
    }
    sb.append(section);
    if (end < lines.length) {
      sb.append('\n');
      for (int i = end; i < lines.length; i++) {
        sb.append(lines[i]);
        if (i < lines.length - 1) {
          sb.append('\n');
        }
      }
    }
    return sb.toString();
  }
}
