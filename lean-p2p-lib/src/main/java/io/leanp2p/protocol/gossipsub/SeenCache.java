package io.leanp2p.protocol.gossipsub;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Message ids seen within the TTL, in insertion order (so expiry and eviction walk from the
 * oldest). Bounded: past {@code maxEntries} the oldest is evicted (the caller counts it).
 */
final class SeenCache {
  private final long ttlNanos;
  private final int maxEntries;
  private final LinkedHashMap<IdKey, Long> firstSeen = new LinkedHashMap<>();

  SeenCache(long ttlNanos, int maxEntries) {
    this.ttlNanos = ttlNanos;
    this.maxEntries = maxEntries;
  }

  boolean contains(IdKey id) {
    return firstSeen.containsKey(id);
  }

  /** First-seen time, or -1 when not seen. */
  long firstSeenNanos(IdKey id) {
    Long t = firstSeen.get(id);
    return t == null ? -1 : t;
  }

  /** Adds {@code id}; returns how many old entries were evicted to stay within the bound. */
  int add(IdKey id, long now) {
    firstSeen.putIfAbsent(id, now);
    int evicted = 0;
    while (firstSeen.size() > maxEntries) {
      Iterator<IdKey> it = firstSeen.keySet().iterator();
      it.next();
      it.remove();
      evicted++;
    }
    return evicted;
  }

  void remove(IdKey id) {
    firstSeen.remove(id);
  }

  void expire(long now) {
    Iterator<Map.Entry<IdKey, Long>> it = firstSeen.entrySet().iterator();
    while (it.hasNext()) {
      if (now - it.next().getValue() >= ttlNanos) {
        it.remove();
      } else {
        break;
      }
    }
  }

  int size() {
    return firstSeen.size();
  }
}
