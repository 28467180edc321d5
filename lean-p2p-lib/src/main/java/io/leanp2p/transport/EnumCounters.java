package io.leanp2p.transport;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Plain {@code long} counters keyed by an enum, mutated only on the owning event loop; other
 * threads read the immutable {@link #snapshot()} published after each change.
 */
public final class EnumCounters<E extends Enum<E>> {
  private final Class<E> type;
  private final long[] counts;
  private volatile Map<E, Long> published;

  public EnumCounters(Class<E> type) {
    this.type = type;
    this.counts = new long[type.getEnumConstants().length];
    this.published = Collections.unmodifiableMap(new EnumMap<>(type));
  }

  /** Adds one (owner thread only). */
  public void inc(E key) {
    counts[key.ordinal()]++;
    EnumMap<E, Long> m = new EnumMap<>(type);
    for (E e : type.getEnumConstants()) {
      if (counts[e.ordinal()] != 0) {
        m.put(e, counts[e.ordinal()]);
      }
    }
    published = Collections.unmodifiableMap(m);
  }

  /** The count of {@code key} (any thread; from the last snapshot). */
  public long get(E key) {
    return published.getOrDefault(key, 0L);
  }

  /** Non-zero counts (immutable; any thread). */
  public Map<E, Long> snapshot() {
    return published;
  }

  @Override
  public String toString() {
    return published.toString();
  }
}
