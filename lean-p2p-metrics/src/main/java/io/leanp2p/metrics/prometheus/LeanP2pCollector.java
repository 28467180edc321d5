package io.leanp2p.metrics.prometheus;

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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Exports lean-p2p networks to a Prometheus client registry (io.prometheus {@code
 * prometheus-metrics} 1.x, the client Besu's and Teku's metrics systems are built on).
 *
 * <p>On every scrape it asks each source for a fresh {@link MetricsSnapshot} ({@code
 * LeanNetwork::metrics}: an immutable snapshot, safe from any thread) and converts its counters,
 * gauges and histograms: the leanMetrics network metrics ({@code lean_connected_peers{client}},
 * {@code lean_gossip_mesh_peers}, {@code lean_peer_connection_events_total{direction,result}},
 * {@code lean_peer_disconnection_events_total{direction,reason}}) under their exact names, and
 * lean-p2p's own {@code leanp2p_*} metrics (queue depths, drops by reason, loop lag, mesh per topic,
 * request latency). Nothing is registered globally and nothing is cached between scrapes.
 *
 * <p>One network:
 *
 * <pre>{@code
 * PrometheusRegistry registry = new PrometheusRegistry();   // or the host's own registry
 * registry.register(LeanP2pCollector.of(network::metrics));
 * }</pre>
 *
 * <p>Several networks in one registry must share ONE collector, told apart by a label (a second
 * collector would repeat the metric names):
 *
 * <pre>{@code
 * registry.register(new LeanP2pCollector(() -> List.of(
 *     new LeanP2pCollector.Source(Map.of("node", "a"), a::metrics),
 *     new LeanP2pCollector.Source(Map.of("node", "b"), b::metrics))));
 * }</pre>
 */
public final class LeanP2pCollector implements MultiCollector {
  /**
   * One network's metrics and the labels added to each of its samples (a source label replaces a
   * sample label of the same name).
   *
   * @param labels extra labels, e.g. {@code node="n3"}; empty for a single network
   * @param metrics a fresh snapshot per call, e.g. {@code network::metrics}
   */
  public record Source(Map<String, String> labels, Supplier<MetricsSnapshot> metrics) {
    /** Copies the labels; rejects nulls. */
    public Source {
      labels = Map.copyOf(labels);
      Objects.requireNonNull(metrics, "metrics");
    }
  }

  private final Supplier<List<Source>> sources;

  /**
   * A collector over a changing set of networks: {@code sources} is asked on every scrape.
   *
   * @param sources the networks to export, as of this scrape
   */
  public LeanP2pCollector(Supplier<List<Source>> sources) {
    this.sources = Objects.requireNonNull(sources, "sources");
  }

  /**
   * A collector for one network, without extra labels.
   *
   * @param metrics a fresh snapshot per call, e.g. {@code network::metrics}
   * @return the collector, to register in a {@code PrometheusRegistry}
   */
  public static LeanP2pCollector of(Supplier<MetricsSnapshot> metrics) {
    List<Source> one = List.of(new Source(Map.of(), metrics));
    return new LeanP2pCollector(() -> one);
  }

  /**
   * Converts the current snapshots. A source that throws (a network that is closing) is left out
   * of this scrape; a name seen with two types keeps the first type's samples; two samples with
   * the same name and labels keep the first.
   */
  @Override
  public MetricSnapshots collect() {
    Map<String, Family> families = new LinkedHashMap<>();
    for (Source src : sources.get()) {
      MetricsSnapshot snap;
      try {
        snap = src.metrics().get();
      } catch (RuntimeException e) {
        continue;
      }
      for (MetricsSnapshot.Sample s : snap.samples()) {
        Family f = families.computeIfAbsent(familyName(s), n -> new Family(s.type(), s.help()));
        if (f.type == s.type()) {
          f.points.putIfAbsent(labels(src.labels(), s.labels()), s);
        }
      }
    }
    List<MetricSnapshot> out = new ArrayList<>(families.size());
    families.forEach((name, f) -> out.add(f.toSnapshot(name)));
    return new MetricSnapshots(out);
  }

  /**
   * The Prometheus family name of a sample: counters are named without {@code _total} in the
   * Prometheus model (the exposition formats add it back), everything else as is.
   */
  static String familyName(MetricsSnapshot.Sample s) {
    String n = s.name();
    if (s.type() == MetricsSnapshot.Type.COUNTER && n.endsWith("_total")) {
      return n.substring(0, n.length() - "_total".length());
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

  private static final class Family {
    final MetricsSnapshot.Type type;
    final String help;
    final Map<Labels, MetricsSnapshot.Sample> points = new LinkedHashMap<>();

    Family(MetricsSnapshot.Type type, String help) {
      this.type = type;
      this.help = help == null || help.isEmpty() ? null : help;
    }

    MetricSnapshot toSnapshot(String name) {
      MetricMetadata meta = help == null ? new MetricMetadata(name) : new MetricMetadata(name, help);
      return switch (type) {
        case COUNTER -> {
          List<CounterSnapshot.CounterDataPointSnapshot> d = new ArrayList<>();
          points.forEach((l, s) ->
              d.add(CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(Math.max(0, s.value())).build()));
          yield new CounterSnapshot(meta, d);
        }
        case GAUGE -> {
          List<GaugeSnapshot.GaugeDataPointSnapshot> d = new ArrayList<>();
          points.forEach((l, s) -> d.add(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(s.value()).build()));
          yield new GaugeSnapshot(meta, d);
        }
        case HISTOGRAM -> {
          List<HistogramSnapshot.HistogramDataPointSnapshot> d = new ArrayList<>();
          points.forEach((l, s) -> d.add(HistogramSnapshot.HistogramDataPointSnapshot.builder()
              .labels(l)
              .classicHistogramBuckets(buckets(s))
              .sum(s.value())
              .build()));
          yield new HistogramSnapshot(meta, d);
        }
      };
    }
  }

  /** Prometheus wants per-bucket counts and a +Inf bucket; the snapshot gives cumulative counts. */
  static ClassicHistogramBuckets buckets(MetricsSnapshot.Sample s) {
    double[] bounds = s.bucketBounds();
    long[] cumulative = s.bucketCounts();
    long[] perBucket = new long[cumulative.length];
    long prev = 0;
    for (int i = 0; i < cumulative.length; i++) {
      perBucket[i] = Math.max(0, cumulative[i] - prev);
      prev = cumulative[i];
    }
    if (bounds.length == 0 || bounds[bounds.length - 1] != Double.POSITIVE_INFINITY) {
      double[] nb = Arrays.copyOf(bounds, bounds.length + 1);
      long[] nc = Arrays.copyOf(perBucket, perBucket.length + 1);
      nb[bounds.length] = Double.POSITIVE_INFINITY;
      nc[perBucket.length] = Math.max(0, s.count() - prev);
      return ClassicHistogramBuckets.of(nb, nc);
    }
    return ClassicHistogramBuckets.of(bounds.clone(), perBucket);
  }
}
