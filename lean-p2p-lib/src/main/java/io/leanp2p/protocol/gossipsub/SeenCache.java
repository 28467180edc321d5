package io.leanp2p.protocol.gossipsub;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Message ids seen within the TTL, in insertion order (so expiry and eviction walk from the
 * oldest). Bounded: past {@code maxEntries} the oldest is evicted (the caller counts it).
 *
 * <p>Without an object per entry: ids of the usual length ({@link #ID_BYTES}, every lean message
 * id) live in one ring of arrays (id bytes, first-seen time) indexed by an open-addressing table
 * of ints; about 36 bytes per id and nothing for the garbage collector to trace or copy, where a
 * linked hash map of boxed keys and times held ~130 bytes in four objects per id for the whole
 * 24 s TTL (old-generation churn at thousands of messages a second). The arrays start small and
 * double up to the bound. Ids of another length (none in lean: only tests seed them) go to a
 * small map, evicted after the ring's. Single threaded (the router's thread).
 */
final class SeenCache {
  /** The length of a lean message id; ids of this length need no per-entry object. */
  static final int ID_BYTES = 20;

  private static final long REMOVED = Long.MIN_VALUE;
  private static final int MIN_CAPACITY = 1024;

  private final long ttlNanos;
  private final int maxEntries;
  private final int maxCapacity;

  // the ring: entry i of sequence s lives at index (s & (capacity - 1))
  private int capacity;
  private byte[] ids;
  private long[] times;
  private long head; // sequence of the oldest slot (live or removed)
  private long tail; // sequence of the next slot to fill
  private int live;
  // linear-probing index: ring index + 1, 0 = empty; twice the ring capacity (load <= 1/2)
  private int[] table;

  private final LinkedHashMap<IdKey, Long> other = new LinkedHashMap<>();

  SeenCache(long ttlNanos, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries < 1");
    }
    this.ttlNanos = ttlNanos;
    this.maxEntries = maxEntries;
    this.maxCapacity = Integer.highestOneBit(Math.max(1, maxEntries - 1)) << 1;
    allocate(Math.min(MIN_CAPACITY, maxCapacity));
  }

  private void allocate(int cap) {
    capacity = cap;
    ids = new byte[cap * ID_BYTES];
    times = new long[cap];
    table = new int[cap * 2];
    head = 0;
    tail = 0;
  }

  boolean contains(IdKey id) {
    return contains(id.id);
  }

  boolean contains(byte[] id) {
    return id.length == ID_BYTES ? find(id) >= 0 : other.containsKey(IdKey.own(id));
  }

  /** First-seen time, or -1 when not seen. */
  long firstSeenNanos(IdKey id) {
    if (id.id.length != ID_BYTES) {
      Long t = other.get(id);
      return t == null ? -1 : t;
    }
    int i = find(id.id);
    return i < 0 ? -1 : times[i];
  }

  /** Adds {@code id} (no-op when present); returns how many old entries were evicted to stay within the bound. */
  int add(IdKey id, long now) {
    return add(id.id, now);
  }

  int add(byte[] id, long now) {
    if (id.length != ID_BYTES) {
      other.putIfAbsent(IdKey.copy(id), now);
      return evictWhileOver();
    }
    if (find(id) >= 0) {
      return 0;
    }
    int evicted = 0;
    while (live + other.size() >= maxEntries && evictOldest()) {
      evicted++;
    }
    if (tail - head == capacity) {
      makeRoom();
    }
    int i = (int) (tail & (capacity - 1));
    System.arraycopy(id, 0, ids, i * ID_BYTES, ID_BYTES);
    times[i] = now;
    tail++;
    live++;
    insert(i);
    return evicted;
  }

  void remove(IdKey id) {
    if (id.id.length != ID_BYTES) {
      other.remove(id);
      return;
    }
    int i = find(id.id);
    if (i >= 0) {
      unindex(i);
      times[i] = REMOVED;
      live--;
    }
  }

  void expire(long now) {
    while (head < tail) {
      int i = (int) (head & (capacity - 1));
      long t = times[i];
      if (t != REMOVED) {
        if (now - t < ttlNanos) {
          break;
        }
        unindex(i);
        live--;
      }
      head++;
    }
    Iterator<Map.Entry<IdKey, Long>> it = other.entrySet().iterator();
    while (it.hasNext()) {
      if (now - it.next().getValue() >= ttlNanos) {
        it.remove();
      } else {
        break;
      }
    }
  }

  int size() {
    return live + other.size();
  }

  // ------------------------------------------------------------------ internals

  private int evictWhileOver() {
    int evicted = 0;
    while (live + other.size() > maxEntries) {
      if (!evictOldest()) {
        Iterator<IdKey> it = other.keySet().iterator();
        it.next();
        it.remove();
      }
      evicted++;
    }
    return evicted;
  }

  /** Drops the oldest live ring entry; false when the ring has none. */
  private boolean evictOldest() {
    while (head < tail) {
      int i = (int) (head & (capacity - 1));
      head++;
      if (times[i] != REMOVED) {
        unindex(i);
        live--;
        return true;
      }
    }
    return false;
  }

  /** The ring is full of live and removed slots: grow it, or at the bound squeeze out the removed. */
  private void makeRoom() {
    int cap = live * 2 > capacity && capacity < maxCapacity ? capacity * 2 : capacity;
    byte[] oldIds = ids;
    long[] oldTimes = times;
    int oldCap = capacity;
    long from = head;
    long to = tail;
    allocate(cap);
    for (long s = from; s < to; s++) {
      int o = (int) (s & (oldCap - 1));
      if (oldTimes[o] == REMOVED) {
        continue;
      }
      int i = (int) tail;
      System.arraycopy(oldIds, o * ID_BYTES, ids, i * ID_BYTES, ID_BYTES);
      times[i] = oldTimes[o];
      tail++;
      insert(i);
    }
    if (tail == capacity) {
      evictOldest(); // no removed slot to reclaim at the bound: make one (counted by the caller's bound check)
    }
  }

  private int slotOf(byte[] id, int off) {
    // message ids are hash outputs: their first bytes are already uniform; mix anyway
    int h = (id[off] & 0xff) | (id[off + 1] & 0xff) << 8 | (id[off + 2] & 0xff) << 16 | id[off + 3] << 24;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return h & (table.length - 1);
  }

  private int find(byte[] id) {
    int mask = table.length - 1;
    for (int s = slotOf(id, 0); ; s = (s + 1) & mask) {
      int e = table[s];
      if (e == 0) {
        return -1;
      }
      int i = e - 1;
      if (Arrays.equals(ids, i * ID_BYTES, i * ID_BYTES + ID_BYTES, id, 0, ID_BYTES)) {
        return i;
      }
    }
  }

  private void insert(int i) {
    int mask = table.length - 1;
    int s = slotOf(ids, i * ID_BYTES);
    while (table[s] != 0) {
      s = (s + 1) & mask;
    }
    table[s] = i + 1;
  }

  /** Removes ring index {@code i} from the table (backward-shift deletion: no tombstones). */
  private void unindex(int i) {
    int mask = table.length - 1;
    int s = slotOf(ids, i * ID_BYTES);
    while (table[s] != i + 1) {
      s = (s + 1) & mask;
    }
    int hole = s;
    for (int j = (hole + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
      int home = slotOf(ids, (table[j] - 1) * ID_BYTES);
      // move entry j into the hole if its home is not in (hole, j] (cyclically)
      boolean between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!between) {
        table[hole] = table[j];
        hole = j;
      }
    }
    table[hole] = 0;
  }
}
