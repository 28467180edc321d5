package io.leanp2p.protocol.gossipsub;

import io.leanp2p.codec.gossip.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gossipsub message cache: {@code length} heartbeat windows of validated (or own) messages,
 * served to IWANT; ids of the newest {@code gossip} windows are advertised in IHAVE.
 */
final class MessageCache {
  private final int length;
  private final int gossip;
  private final long maxBytes;
  private final Map<IdKey, Message> messages = new HashMap<>();
  /** Newest window first; within a window, oldest entry first. */
  private final ArrayDeque<ArrayDeque<Entry>> windows = new ArrayDeque<>();
  private long bytes;
  private long evictedEarly;

  private record Entry(IdKey id, String topic) {}

  MessageCache(int length, int gossip, long maxBytes) {
    this.length = length;
    this.gossip = gossip;
    this.maxBytes = maxBytes;
    windows.addFirst(new ArrayDeque<>());
  }

  void put(IdKey id, Message m) {
    if (messages.putIfAbsent(id, m) == null) {
      windows.peekFirst().addLast(new Entry(id, m.topic()));
      bytes += m.dataSize();
      evictOverBudget();
    }
  }

  Message get(IdKey id) {
    return messages.get(id);
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
    Message m = messages.remove(id);
    if (m != null) {
      bytes -= m.dataSize();
      return true;
    }
    return false;
  }

  int size() {
    return messages.size();
  }
}
