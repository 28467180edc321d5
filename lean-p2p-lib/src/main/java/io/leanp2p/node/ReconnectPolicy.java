package io.leanp2p.node;

import java.time.Duration;
import java.util.List;

/**
 * How static peers (bootnodes, host dials marked persistent) are retried: the first dial is
 * immediate; after a failed dial or a lost connection the next attempt waits {@code delays[i]}
 * (the last delay repeats), at most {@code maxRetries} retries in a row, then the host is told the
 * network gave up ({@code DialGaveUp}). A successful connection resets the count.
 *
 * <p>Lean default, from zeam's bridge: 5, 10, 20, 40, 80 s, 5 retries — but unlike zeam the
 * policy also covers the first dial, and giving up is an event, not a log line.
 */
public record ReconnectPolicy(List<Duration> delays, int maxRetries) {
  public ReconnectPolicy {
    delays = List.copyOf(delays);
    if (delays.isEmpty() && maxRetries > 0) {
      throw new IllegalArgumentException("retries need at least one delay");
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries < 0");
    }
  }

  public static ReconnectPolicy leanDefaults() {
    return new ReconnectPolicy(
        List.of(
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(20),
            Duration.ofSeconds(40),
            Duration.ofSeconds(80)),
        5);
  }

  public static ReconnectPolicy never() {
    return new ReconnectPolicy(List.of(), 0);
  }

  /** Delay before retry number {@code retry} (1-based). */
  public Duration delay(int retry) {
    return delays.get(Math.min(retry, delays.size()) - 1);
  }
}
