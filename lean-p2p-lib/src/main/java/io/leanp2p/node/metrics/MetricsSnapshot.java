package io.leanp2p.node.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The metrics SPI of lean-p2p: an immutable, dependency-free list of samples that a network
 * publishes and any metrics system can read ({@code LeanNetwork.metrics()}); the CLI adapts it to
 * Prometheus on each scrape. Names follow Prometheus conventions ({@code leanp2p_*}, counters end
 * in {@code _total}).
 */
public record MetricsSnapshot(List<Sample> samples) {
  public MetricsSnapshot {
    samples = List.copyOf(samples);
  }

  /** The type of a sample. */
  public enum Type {
    COUNTER,
    GAUGE,
    HISTOGRAM
  }

  /**
   * One sample. For histograms, {@code bucketBounds} are the upper bounds (seconds) and
   * {@code bucketCounts} the cumulative counts (the last bound is +Inf), {@code value} the sum.
   */
  public record Sample(
      String name,
      String help,
      Type type,
      Map<String, String> labels,
      double value,
      double[] bucketBounds,
      long[] bucketCounts,
      long count) {}

  /** Finds a sample by name and exact labels (for tests and tables); NaN when absent. */
  public double value(String name, Map<String, String> labels) {
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().equals(labels)) {
        return s.value();
      }
    }
    return Double.NaN;
  }

  /** Sums every sample of a name over all label values; 0 when absent. */
  public double sum(String name) {
    double total = 0;
    for (Sample s : samples) {
      if (s.name().equals(name)) {
        total += s.value();
      }
    }
    return total;
  }

  /** A builder used by the network when it publishes a snapshot. */
  public static final class Builder {
    private final List<Sample> samples = new ArrayList<>();

    public Builder counter(String name, String help, Map<String, String> labels, long value) {
      samples.add(new Sample(name, help, Type.COUNTER, Map.copyOf(labels), value, null, null, 0));
      return this;
    }

    public Builder gauge(String name, String help, Map<String, String> labels, double value) {
      samples.add(new Sample(name, help, Type.GAUGE, Map.copyOf(labels), value, null, null, 0));
      return this;
    }

    public Builder histogram(String name, String help, Map<String, String> labels, LatencyHistogram h) {
      samples.add(
          new Sample(name, help, Type.HISTOGRAM, Map.copyOf(labels), h.sumSeconds(), h.bounds(),
              h.cumulativeCounts(), h.count()));
      return this;
    }

    public MetricsSnapshot build() {
      return new MetricsSnapshot(Collections.unmodifiableList(samples));
    }
  }
}
