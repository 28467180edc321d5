package io.leanp2p.protocol.gossipsub;

import io.leanp2p.codec.gossip.Message;
import io.leanp2p.crypto.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gossipsub message cache: {@code length} heartbeat windows of validated (or own) messages,
 * served to IWANT; ids of the newest {@code gossip} windows are advertised in IHAVE. Each entry
 * also counts the copies served to each peer by IWANT ({@link #countServed}), for the life of the
 * entry (as go, rust and js do), so that the retransmission cap cannot be reset by waiting for a
 * heartbeat.
 */
final class MessageCache {
  private final int length;
  private final int gossip;
  private final long maxBytes;
  private final Map<IdKey, Cached> messages = new HashMap<>();
  /** Newest window first; within a window, oldest entry first. */
  private final ArrayDeque<ArrayDeque<Entry>> windows = new ArrayDeque<>();
  private long bytes;
  private long evictedEarly;

  private record Entry(IdKey id, String topic) {}

  /** A cached message and the IWANT copies served per peer (created on the first IWANT). */
  private static final class Cached {
    final Message message;
    Map<PeerId, Integer> served;

    Cached(Message message) {
      this.message = message;
    }
  }

  MessageCache(int length, int gossip, long maxBytes) {
    this.length = length;
    this.gossip = gossip;
    this.maxBytes = maxBytes;
    windows.addFirst(new ArrayDeque<>());
  }

  void put(IdKey id, Message m) {
    if (messages.putIfAbsent(id, new Cached(m)) == null) {
      windows.peekFirst().addLast(new Entry(id, m.topic()));
      bytes += m.dataSize();
      evictOverBudget();
    }
  }

  Message get(IdKey id) {
    Cached c = messages.get(id);
    return c == null ? null : c.message;
  }

  /**
   * Counts one more IWANT request of {@code peer} for the cached message {@code id} and returns
   * how many it has made, this one included (0 when the message is not cached). The counts go
   * with the entry: at most (cached messages x peers) of them.
   */
  int countServed(IdKey id, PeerId peer) {
    Cached c = messages.get(id);
    if (c == null) {
      return 0;
    }
    if (c.served == null) {
      c.served = new HashMap<>(4);
    }
    return c.served.merge(peer, 1, Integer::sum);
  }

  boolean contains(IdKey id) {
    return messages.containsKey(id);
  }

  /** Ids of {@code topic} in the gossip windows, newest window first. */
  List<byte[]> gossipIds(String topic) {
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    for (ArrayDeque<Entry> w : windows) {
      if (i++ >= gossip) {
        break;
      }
      for (Entry e : w) {
        if (e.topic.equals(topic)) {
          out.add(e.id.id);
        }
      }
    }
    return out;
  }

  /** Starts a new window and evicts the oldest beyond {@code length}. */
  void shift() {
    windows.addFirst(new ArrayDeque<>());
    while (windows.size() > length) {
      for (Entry e : windows.removeLast()) {
        remove(e.id);
      }
    }
  }

  /** Messages evicted before their windows expired, to stay within the byte budget. */
  long evictedEarly() {
    return evictedEarly;
  }

  long bytes() {
    return bytes;
  }

  /** Evicts the oldest messages (oldest window first, in arrival order) until within the budget. */
  private void evictOverBudget() {
    java.util.Iterator<ArrayDeque<Entry>> oldestFirst = windows.descendingIterator();
    while (bytes > maxBytes && oldestFirst.hasNext()) {
      ArrayDeque<Entry> w = oldestFirst.next();
      Entry e;
      while (bytes > maxBytes && (e = w.pollFirst()) != null) {
        if (remove(e.id)) {
          evictedEarly++;
        }
      }
    }
  }

  private boolean remove(IdKey id) {
    Cached c = messages.remove(id);
    if (c != null) {
      bytes -= c.message.dataSize();
      return true;
    }
    return false;
  }

  int size() {
    return messages.size();
  }
}
