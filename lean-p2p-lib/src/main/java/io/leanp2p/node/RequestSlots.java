package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Our in-flight requests per peer, against the per-peer concurrency limit: claimed on the host's
 * thread (so that an over-limit request is refused up front), released by the loop when the
 * request's terminal event is emitted. Thread-safe.
 */
final class RequestSlots {
  private final int maxPerPeer;
  private final ConcurrentHashMap<PeerId, AtomicInteger> inflight = new ConcurrentHashMap<>();

  RequestSlots(int maxPerPeer) {
    this.maxPerPeer = maxPerPeer;
  }

  /** Takes a slot; false at the limit. */
  boolean claim(PeerId peer) {
    AtomicInteger count = inflight.computeIfAbsent(peer, p -> new AtomicInteger());
    while (true) {
      int c = count.get();
      if (c >= maxPerPeer) {
        return false;
      }
      if (count.compareAndSet(c, c + 1)) {
        return true;
      }
    }
  }

  void release(PeerId peer) {
    AtomicInteger c = inflight.get(peer);
    if (c != null) {
      c.decrementAndGet();
    }
  }
}
