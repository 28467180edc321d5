package io.leanp2p.node.metrics;

/**
 * A fixed-bucket latency histogram, mutated by one thread (the event loop) and copied into
 * snapshots. Buckets (seconds): 1 ms … 10 s, then +Inf. Percentiles are estimated from buckets.
 */
public final class LatencyHistogram {
  private static final double[] BOUNDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Double.POSITIVE_INFINITY
  };
  private final long[] counts = new long[BOUNDS.length];
  private long count;
  private double sum;

  public void recordNanos(long nanos) {
    double s = nanos / 1e9;
    int i = 0;
    while (s > BOUNDS[i]) {
      i++;
    }
    counts[i]++;
    count++;
    sum += s;
  }

  public long count() {
    return count;
  }

  public double sumSeconds() {
    return sum;
  }

  public double[] bounds() {
    return BOUNDS.clone();
  }

  public long[] cumulativeCounts() {
    long[] c = new long[counts.length];
    long acc = 0;
    for (int i = 0; i < counts.length; i++) {
      acc += counts[i];
      c[i] = acc;
    }
    return c;
  }

  /** The upper bound (seconds) of the bucket holding quantile {@code q}; NaN when empty. */
  public double quantileUpperBound(double q) {
    if (count == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * count);
    long acc = 0;
    for (int i = 0; i < counts.length; i++) {
      acc += counts[i];
      if (acc >= rank) {
        return BOUNDS[i];
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
