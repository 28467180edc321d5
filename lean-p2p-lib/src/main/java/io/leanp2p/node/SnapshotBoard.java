package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.metrics.MetricsSnapshot;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The immutable pictures the loop publishes for other threads: the {@link NetworkSnapshot} and
 * the {@link MetricsSnapshot}, stamped with the loop's <em>state version</em> (bumped by every
 * event that changes what a snapshot shows: peer connected / disconnected, a peer's subscription,
 * a mesh change).
 *
 * <p><b>Consistency with events.</b> Such an event is queued stamped with its version; before the
 * delivery thread hands it to the host it calls {@link #awaitVersion}: if the published snapshot
 * is older, it asks the loop to publish one and waits for it. So a host that got {@code
 * PeerConnected}, {@code PeerSubscription} or {@code MeshChange} and then calls {@code snapshot()}
 * sees that state (or newer). A burst of such events costs one snapshot, built on the loop.
 */
final class SnapshotBoard {
  /** One published picture. */
  record Published(NetworkSnapshot snapshot, MetricsSnapshot metrics, long version) {}

  private volatile Published current;
  private volatile Thread waiter;
  private volatile boolean closed;
  private final AtomicLong requested = new AtomicLong();
  private final Runnable requestPublish;

  /** @param requestPublish asks the loop to publish now (from the delivery thread) */
  SnapshotBoard(PeerId self, Runnable requestPublish) {
    this.current = new Published(NetworkSnapshot.empty(self), new MetricsSnapshot(List.of()), 0);
    this.requestPublish = requestPublish;
  }

  NetworkSnapshot snapshot() {
    return current.snapshot();
  }

  MetricsSnapshot metrics() {
    return current.metrics();
  }

  long version() {
    return current.version();
  }

  /** Loop thread: publishes a picture (and wakes a delivery thread waiting for it). */
  void publish(NetworkSnapshot snapshot, MetricsSnapshot metrics, long version) {
    current = new Published(snapshot, metrics, Math.max(version, current.version()));
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  /**
   * Delivery thread: returns once the published snapshot is at least {@code version} (asking the
   * loop for one if needed), or after 2 s / when the network is closing (the event is delivered
   * anyway).
   */
  void awaitVersion(long version) {
    if (current.version() >= version || closed) {
      return;
    }
    long asked = requested.get();
    if (asked < version && requested.compareAndSet(asked, version)) {
      try {
        requestPublish.run();
      } catch (RuntimeException rejected) {
        return; // the loop is gone
      }
    }
    waiter = Thread.currentThread();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (current.version() < version && !closed && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
      }
    } finally {
      waiter = null;
    }
  }

  /** No more publishes will come: waiters stop waiting. */
  void close() {
    closed = true;
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }
}
