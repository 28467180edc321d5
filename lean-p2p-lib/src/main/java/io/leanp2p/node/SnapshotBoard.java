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
 * <p><b>Consistency with events.</b> Such an event is queued stamped with its version, and the loop
 * publishes a fresh snapshot at the end of the loop iteration that queued it (one per iteration,
 * however many events). Before the delivery thread hands the event to the host it calls {@link
 * #awaitVersion}: if the published snapshot is still older (the delivery thread was faster), it
 * asks the loop to publish and waits for it. So a host that got {@code PeerConnected}, {@code
 * PeerSubscription} or {@code MeshChange} and then calls {@code snapshot()} sees that state (or
 * newer).
 */
final class SnapshotBoard {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotBoard.class);
  static final int MAX_WAIT_SECONDS = 30;
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

  /** Loop thread: publishes a picture (and wakes a delivery thread waiting for it). */
  void publish(NetworkSnapshot snapshot, MetricsSnapshot metrics, long version) {
    current = new Published(snapshot, metrics, Math.max(version, current.version()));
    Thread w = waiter;
    if (w != null) {
      LockSupport.unpark(w);
    }
  }

  /** Loop thread: publishes a new network snapshot, keeping the metrics. */
  void publish(NetworkSnapshot snapshot, long version) {
    publish(snapshot, current.metrics(), version);
  }

  /**
   * Delivery thread: returns once the published snapshot is at least {@code version} (asking the
   * loop for one if needed), or when the network is closing. A loop that does not answer within
   * {@link #MAX_WAIT_SECONDS} (it is stuck) gets a warning, and the event is delivered anyway.
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
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_WAIT_SECONDS);
      while (current.version() < version && !closed && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
      }
      if (current.version() < version && !closed) {
        LOG.warn("the event loop published no snapshot within {} s; delivering an event ahead of it", MAX_WAIT_SECONDS);
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
