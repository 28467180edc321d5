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
  private final Map<IdKey, Message> messages = new HashMap<>();
  private final ArrayDeque<List<Entry>> windows = new ArrayDeque<>();

  private record Entry(IdKey id, String topic) {}

  MessageCache(int length, int gossip) {
    this.length = length;
    this.gossip = gossip;
    windows.addFirst(new ArrayList<>());
  }

  void put(IdKey id, Message m) {
    if (messages.putIfAbsent(id, m) == null) {
      windows.peekFirst().add(new Entry(id, m.topic()));
    }
  }

  Message get(IdKey id) {
    return messages.get(id);
  }

  boolean contains(IdKey id) {
    return messages.containsKey(id);
  }

  /** Ids of {@code topic} in the gossip windows, newest first. */
  List<byte[]> gossipIds(String topic) {
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    for (List<Entry> w : windows) {
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
    windows.addFirst(new ArrayList<>());
    while (windows.size() > length) {
      for (Entry e : windows.removeLast()) {
        messages.remove(e.id);
      }
    }
  }

  int size() {
    return messages.size();
  }
}
