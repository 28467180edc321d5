package io.leanp2p.node;

import io.leanp2p.util.Scheduler;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps static peers (bootnodes and persistent host dials) connected, per {@link
 * ReconnectPolicy}. A plain single-threaded object on the network's event loop: the scheduler and
 * the dial / report actions are injected, so it runs under virtual time in tests.
 *
 * @param <K> the peer key (the PeerId in production)
 * @param <A> the address type
 * @param <R> why a dial failed (the close reason in production)
 */
final class PeerManager<K, A, R> {
  /** What the manager asks the network to do. */
  interface Actions<K, A, R> {
    void dial(K peer, A address, int attempt);

    /**
     * A dial of a static peer failed: {@code attempt} counts the dials since the last success (1 =
     * the first), {@code willRetry} says whether another is scheduled (false on the last, and when
     * the peer is connected anyway).
     */
    void dialFailed(K peer, A address, int attempt, boolean willRetry, R reason);

    void gaveUp(K peer, A address, int attempts);
  }

  private static final class Target<A> {
    final A address;
    int retries; // consecutive retries scheduled since the last success (picks the backoff delay)
    int dials; // dials since the peer was last connected: the attempt number the host sees
    boolean connected;
    boolean dialing;
    Scheduler.Cancellable timer;

    Target(A address) {
      this.address = address;
    }
  }

  private final ReconnectPolicy policy;
  private final Scheduler scheduler;
  private final Actions<K, A, R> actions;
  private final Map<K, Target<A>> targets = new HashMap<>();
  private boolean closed;

  PeerManager(ReconnectPolicy policy, Scheduler scheduler, Actions<K, A, R> actions) {
    this.policy = policy;
    this.scheduler = scheduler;
    this.actions = actions;
  }

  /**
   * Adds a static peer and dials it now (unless connected). A peer already static and waiting for
   * its next retry is dialed now instead.
   */
  void addStatic(K peer, A address, boolean alreadyConnected) {
    if (closed) {
      return;
    }
    Target<A> known = targets.get(peer);
    if (known != null) {
      if (!known.connected && !known.dialing) {
        if (known.timer != null) {
          known.timer.cancel();
          known.timer = null;
        }
        dialNow(peer, known);
      }
      return;
    }
    Target<A> t = new Target<>(address);
    t.connected = alreadyConnected;
    targets.put(peer, t);
    if (!alreadyConnected) {
      dialNow(peer, t);
    }
  }

  void removeStatic(K peer) {
    Target<A> t = targets.remove(peer);
    if (t != null && t.timer != null) {
      t.timer.cancel();
    }
  }

  boolean isStatic(K peer) {
    return targets.containsKey(peer);
  }

  void connected(K peer) {
    Target<A> t = targets.get(peer);
    if (t == null) {
      return;
    }
    t.connected = true;
    t.dialing = false;
    t.retries = 0;
    t.dials = 0;
    if (t.timer != null) {
      t.timer.cancel();
      t.timer = null;
    }
  }

  void disconnected(K peer) {
    Target<A> t = targets.get(peer);
    if (t == null || closed) {
      return;
    }
    t.connected = false;
    scheduleRetry(peer, t);
  }

  void dialFailed(K peer, R reason) {
    Target<A> t = targets.get(peer);
    if (t == null || closed) {
      return;
    }
    t.dialing = false;
    if (t.connected) {
      actions.dialFailed(peer, t.address, Math.max(1, t.dials), false, reason); // connected anyway
      return;
    }
    boolean willRetry = t.retries < policy.maxRetries();
    actions.dialFailed(peer, t.address, t.dials, willRetry, reason);
    if (willRetry) {
      scheduleRetry(peer, t);
    } else {
      actions.gaveUp(peer, t.address, t.dials);
      targets.remove(peer);
    }
  }

  private void scheduleRetry(K peer, Target<A> t) {
    if (t.timer != null || t.dialing || policy.maxRetries() == 0) {
      if (policy.maxRetries() == 0 && !t.dialing && t.timer == null && !t.connected) {
        actions.gaveUp(peer, t.address, t.dials);
        targets.remove(peer);
      }
      return;
    }
    t.retries++;
    long delay = policy.delay(t.retries).toNanos();
    t.timer =
        scheduler.schedule(
            delay,
            () -> {
              t.timer = null;
              if (!closed && targets.get(peer) == t && !t.connected) {
                dialNow(peer, t);
              }
            });
  }

  private void dialNow(K peer, Target<A> t) {
    t.dialing = true;
    t.dials++;
    actions.dial(peer, t.address, t.dials);
  }

  void close() {
    closed = true;
    for (Target<A> t : targets.values()) {
      if (t.timer != null) {
        t.timer.cancel();
      }
    }
    targets.clear();
  }
}
