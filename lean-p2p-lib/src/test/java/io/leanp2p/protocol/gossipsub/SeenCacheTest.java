package io.leanp2p.protocol.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The object-free seen cache against a reference model (the insertion-ordered map it replaced):
 * the same answers and the same eviction counts under random adds, removals, expiries and
 * lookups, through ring growth, compaction of removed slots and eviction at the bound.
 */
class SeenCacheTest {
  private static final long TTL = 1000;

  /** The previous implementation: insertion-ordered map of first-seen times. */
  private static final class Model {
    final LinkedHashMap<IdKey, Long> m = new LinkedHashMap<>();
    final int max;

    Model(int max) {
      this.max = max;
    }

    int add(IdKey id, long now) {
      m.putIfAbsent(id, now);
      int evicted = 0;
      while (m.size() > max) {
        Iterator<IdKey> it = m.keySet().iterator();
        it.next();
        it.remove();
        evicted++;
      }
      return evicted;
    }

    void expire(long now) {
      Iterator<Map.Entry<IdKey, Long>> it = m.entrySet().iterator();
      while (it.hasNext() && now - it.next().getValue() >= TTL) {
        it.remove();
      }
    }
  }

  private static IdKey id(Random r, List<IdKey> known, boolean odd) {
    if (!known.isEmpty() && r.nextInt(3) == 0) {
      return known.get(r.nextInt(known.size()));
    }
    byte[] b = new byte[odd ? 7 + r.nextInt(30) : SeenCache.ID_BYTES];
    r.nextBytes(b);
    if (r.nextInt(8) == 0) {
      b[0] = 0; // collide on the first bytes (the table's hash input)
      b[1] = 0;
      b[2] = 0;
      b[3] = 0;
    }
    IdKey k = IdKey.own(b);
    known.add(k);
    return k;
  }

  /** Lean ids (20 bytes), bounds small enough to evict: exactly the model, evictions included. */
  @Property(tries = 300)
  void behavesLikeTheInsertionOrderedMap(
      @ForAll @IntRange(min = 1, max = 3000) int max, @ForAll long seed) {
    run(max, seed, 0);
  }

  /**
   * Ids of other lengths (none in lean; a side map) mixed in, under a bound that is never reached
   * (the side map is evicted after the ring, not in global insertion order).
   */
  @Property(tries = 100)
  void otherIdLengthsToo(@ForAll long seed) {
    run(1 << 20, seed, 10);
  }

  private static void run(int max, long seed, int oddPercent) {
    Random r = new Random(seed);
    SeenCache c = new SeenCache(TTL, max);
    Model m = new Model(max);
    List<IdKey> known = new ArrayList<>();
    long now = 0;
    for (int step = 0; step < 6000; step++) {
      int op = r.nextInt(20);
      IdKey k = id(r, known, r.nextInt(100) < oddPercent);
      if (op < 10) {
        assertThat(c.add(k, now)).as("evicted at step %d", step).isEqualTo(m.add(k, now));
      } else if (op < 12) {
        c.remove(k);
        m.m.remove(k);
      } else if (op < 13) {
        now += r.nextInt((int) TTL / 2);
        c.expire(now);
        m.expire(now);
      } else {
        Long t = m.m.get(k);
        assertThat(c.contains(k)).isEqualTo(t != null);
        assertThat(c.firstSeenNanos(k)).isEqualTo(t == null ? -1 : t);
      }
      assertThat(c.size()).isEqualTo(m.m.size());
    }
    for (IdKey k : known) {
      assertThat(c.contains(k)).isEqualTo(m.m.containsKey(k));
    }
  }

  @Test
  void aMillionIdsInOrderExpireFromTheOldest() {
    SeenCache c = new SeenCache(TTL, 1 << 20);
    Random r = new Random(1);
    byte[][] ids = new byte[200_000][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = new byte[SeenCache.ID_BYTES];
      r.nextBytes(ids[i]);
      assertThat(c.add(ids[i], i / 100)).isZero();
    }
    assertThat(c.size()).isEqualTo(ids.length);
    c.expire(1000 + 999); // everything first seen before t = 1000 is gone
    assertThat(c.size()).isEqualTo(ids.length - 100_000);
    assertThat(c.contains(ids[99_999])).isFalse();
    assertThat(c.contains(ids[100_000])).isTrue();
  }
}
