package io.leanp2p.node;

import io.leanp2p.util.Scheduler;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Keeps static peers (bootnodes and persistent host dials) connected, per {@link
 * ReconnectPolicy}. A plain single-threaded object on the network's event loop: the scheduler and
 * the dial / report actions are injected, so it runs under virtual time in tests.
 *
 * @param <K> the peer key (the PeerId in production)
 * @param <A> the address type
 */
final class PeerManager<K, A> {
  /** What the manager asks the network to do. */
  interface Actions<K, A> {
    void dial(K peer, A address, int attempt);

    /** A dial of a static peer failed; {@code willRetry} says whether another attempt is scheduled. */
    void dialFailed(K peer, A address, int attempt, boolean willRetry, String reason);

    void gaveUp(K peer, A address, int attempts);
  }

  private static final class Target<A> {
    final A address;
    int retries; // consecutive failed retries since the last success
    boolean connected;
    boolean dialing;
    Scheduler.Cancellable timer;

    Target(A address) {
      this.address = address;
    }
  }

  private final ReconnectPolicy policy;
  private final Scheduler scheduler;
  private final Actions<K, A> actions;
  private final Map<K, Target<A>> targets = new HashMap<>();
  private boolean closed;

  PeerManager(ReconnectPolicy policy, Scheduler scheduler, Actions<K, A> actions) {
    this.policy = policy;
    this.scheduler = scheduler;
    this.actions = actions;
  }

  /** Adds a static peer and dials it now (unless already known). */
  void addStatic(K peer, A address, boolean alreadyConnected) {
    if (closed || targets.containsKey(peer)) {
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

  Set<K> staticPeers() {
    return Set.copyOf(targets.keySet());
  }

  void connected(K peer) {
    Target<A> t = targets.get(peer);
    if (t == null) {
      return;
    }
    t.connected = true;
    t.dialing = false;
    t.retries = 0;
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
    scheduleRetry(peer, t, "connection lost");
  }

  void dialFailed(K peer, String reason) {
    Target<A> t = targets.get(peer);
    if (t == null || closed) {
      return;
    }
    t.dialing = false;
    if (t.connected) {
      return; // another connection won meanwhile
    }
    boolean willRetry = t.retries < policy.maxRetries();
    actions.dialFailed(peer, t.address, t.retries + 1, willRetry, reason);
    if (willRetry) {
      scheduleRetry(peer, t, reason);
    } else {
      actions.gaveUp(peer, t.address, t.retries + 1);
      targets.remove(peer);
    }
  }

  private void scheduleRetry(K peer, Target<A> t, String why) {
    if (t.timer != null || t.dialing || policy.maxRetries() == 0) {
      if (policy.maxRetries() == 0 && !t.dialing && t.timer == null && !t.connected) {
        actions.gaveUp(peer, t.address, t.retries + 1);
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
    actions.dial(peer, t.address, t.retries + 1);
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
