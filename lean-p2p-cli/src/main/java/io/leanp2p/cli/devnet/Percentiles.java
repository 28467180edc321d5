package io.leanp2p.cli.devnet;

import java.util.Arrays;

/** Exact nearest-rank percentiles of a set of durations (nanoseconds). */
public record Percentiles(int count, long p50, long p99, long max) {
  public static final Percentiles EMPTY = new Percentiles(0, -1, -1, -1);

  /** Percentiles of {@code valuesNanos} (not modified); {@link #EMPTY} when there are none. */
  public static Percentiles of(long[] valuesNanos) {
    if (valuesNanos.length == 0) {
      return EMPTY;
    }
    long[] v = valuesNanos.clone();
    Arrays.sort(v);
    return new Percentiles(v.length, rank(v, 0.50), rank(v, 0.99), v[v.length - 1]);
  }

  /** The nearest-rank quantile: the smallest value with at least {@code q} of the values at or below it. */
  static long rank(long[] sorted, double q) {
    int r = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, r) - 1)];
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** Milliseconds with one decimal, or "-" when empty. */
  public static String ms(long nanos) {
    return nanos < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }
}
