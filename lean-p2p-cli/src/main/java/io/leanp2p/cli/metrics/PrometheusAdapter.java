package io.leanp2p.cli.metrics;

import io.leanp2p.node.metrics.MetricsSnapshot;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Adapts lean-p2p's metrics SPI ({@link MetricsSnapshot}) to Prometheus: on every scrape it asks
 * each source for a fresh snapshot and converts counters, gauges and histograms. Several networks
 * (the devnet's nodes) are told apart by an extra label (e.g. {@code node="n3"}).
 */
public final class PrometheusAdapter implements MultiCollector {
  /** One network's metrics, with the labels that identify it. */
  public record Source(Map<String, String> labels, Supplier<MetricsSnapshot> metrics) {}

  private final Supplier<List<Source>> sources;

  public PrometheusAdapter(Supplier<List<Source>> sources) {
    this.sources = sources;
  }

  @Override
  public MetricSnapshots collect() {
    // name -> (type, help, data points)
    Map<String, Family> families = new LinkedHashMap<>();
    for (Source src : sources.get()) {
      MetricsSnapshot snap;
      try {
        snap = src.metrics().get();
      } catch (RuntimeException e) {
        continue; // a network that is closing: skip it for this scrape
      }
      for (MetricsSnapshot.Sample s : snap.samples()) {
        String name = baseName(s);
        Family f = families.computeIfAbsent(name, n -> new Family(s.type(), s.help()));
        if (f.type != s.type()) {
          continue; // conflicting types under one name: keep the first
        }
        f.points.add(new Point(labels(src.labels(), s.labels()), s));
      }
    }
    List<MetricSnapshot> out = new ArrayList<>();
    for (Map.Entry<String, Family> e : families.entrySet()) {
      out.add(e.getValue().toSnapshot(e.getKey()));
    }
    return new MetricSnapshots(out);
  }

  /** Counter families are named without {@code _total} in the Prometheus model (it adds it back). */
  static String baseName(MetricsSnapshot.Sample s) {
    String n = s.name();
    if (s.type() == MetricsSnapshot.Type.COUNTER && n.endsWith("_total")) {
      n = n.substring(0, n.length() - "_total".length());
    }
    return n;
  }

  private static Labels labels(Map<String, String> extra, Map<String, String> own) {
    Map<String, String> all = new TreeMap<>(own);
    all.putAll(extra);
    Labels.Builder b = Labels.builder();
    all.forEach(b::label);
    return b.build();
  }

  private record Point(Labels labels, MetricsSnapshot.Sample sample) {}

  private static final class Family {
    final MetricsSnapshot.Type type;
    final String help;
    final List<Point> points = new ArrayList<>();

    Family(MetricsSnapshot.Type type, String help) {
      this.type = type;
      this.help = help == null || help.isEmpty() ? null : help;
    }

    MetricSnapshot toSnapshot(String name) {
      MetricMetadata meta = help == null ? new MetricMetadata(name) : new MetricMetadata(name, help);
      List<Point> unique = dedupe();
      return switch (type) {
        case COUNTER -> {
          List<CounterSnapshot.CounterDataPointSnapshot> d = new ArrayList<>();
          for (Point p : unique) {
            d.add(CounterSnapshot.CounterDataPointSnapshot.builder().labels(p.labels()).value(Math.max(0, p.sample().value())).build());
          }
          yield new CounterSnapshot(meta, d);
        }
        case GAUGE -> {
          List<GaugeSnapshot.GaugeDataPointSnapshot> d = new ArrayList<>();
          for (Point p : unique) {
            d.add(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(p.labels()).value(p.sample().value()).build());
          }
          yield new GaugeSnapshot(meta, d);
        }
        case HISTOGRAM -> {
          List<HistogramSnapshot.HistogramDataPointSnapshot> d = new ArrayList<>();
          for (Point p : unique) {
            d.add(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .labels(p.labels())
                .classicHistogramBuckets(buckets(p.sample()))
                .sum(p.sample().value())
                .build());
          }
          yield new HistogramSnapshot(meta, d);
        }
      };
    }

    private List<Point> dedupe() {
      Map<Labels, Point> m = new LinkedHashMap<>();
      for (Point p : points) {
        m.putIfAbsent(p.labels(), p);
      }
      return new ArrayList<>(m.values());
    }
  }

  /** Prometheus wants per-bucket counts; the SPI gives cumulative counts. */
  static ClassicHistogramBuckets buckets(MetricsSnapshot.Sample s) {
    double[] bounds = s.bucketBounds();
    long[] cumulative = s.bucketCounts();
    long[] perBucket = new long[cumulative.length];
    long prev = 0;
    for (int i = 0; i < cumulative.length; i++) {
      perBucket[i] = Math.max(0, cumulative[i] - prev);
      prev = cumulative[i];
    }
    double[] b = bounds.clone();
    if (b[b.length - 1] != Double.POSITIVE_INFINITY) {
      // the model requires a +Inf bucket
      double[] nb = java.util.Arrays.copyOf(b, b.length + 1);
      long[] nc = java.util.Arrays.copyOf(perBucket, perBucket.length + 1);
      nb[b.length] = Double.POSITIVE_INFINITY;
      nc[perBucket.length] = Math.max(0, s.count() - prev);
      return ClassicHistogramBuckets.of(nb, nc);
    }
    return ClassicHistogramBuckets.of(b, perBucket);
  }
}
