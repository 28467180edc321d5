package io.leanp2p.node;

import io.leanp2p.multiformats.Multiaddr;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Where a network is in its life, read by host threads and the loop, and the handshake that lets
 * {@code close()} answer every accepted command: a host thread <em>enters</em> before it checks the
 * phase and <em>leaves</em> after its offer to a lane; {@link #beginClose} sets CLOSING and then
 * waits until nobody is between check and offer, so the loop's last drain sees every command that
 * was accepted, and every later call is refused CLOSED.
 */
final class NetworkState {
  enum Phase {
    STARTING,
    RUNNING,
    CLOSING,
    CLOSED
  }

  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
  private final AtomicInteger submitting = new AtomicInteger();
  /** Completes with the listen addresses once running, or exceptionally with a StartException. */
  final CompletableFuture<List<Multiaddr>> ready = new CompletableFuture<>();
  /** Completes when close() has released everything. */
  final CompletableFuture<Void> closed = new CompletableFuture<>();

  Phase phase() {
    return phase.get();
  }

  boolean isRunning() {
    return phase.get() == Phase.RUNNING;
  }

  boolean toRunning() {
    return phase.compareAndSet(Phase.STARTING, Phase.RUNNING);
  }

  /** The refusal for the current phase, or null while running. */
  Outcome refusal() {
    return switch (phase.get()) {
      case STARTING -> Outcome.NOT_STARTED;
      case RUNNING -> null;
      case CLOSING, CLOSED -> Outcome.CLOSED;
    };
  }

  /**
   * Host thread, before offering a command: null when the caller may offer (and must call {@link
   * #leave()} right after), else the refusal.
   */
  Outcome enter() {
    submitting.incrementAndGet();
    Outcome r = refusal();
    if (r != null) {
      submitting.decrementAndGet();
    }
    return r;
  }

  void leave() {
    submitting.decrementAndGet();
  }

  /**
   * Sets CLOSING (unless already closing or closed) and waits until no host thread is between its
   * phase check and its offer (a bounded-wait offer notices CLOSING within its next pause).
   *
   * @return the phase before
   */
  Phase beginClose() {
    Phase before = phase.getAndUpdate(p -> p == Phase.CLOSED ? p : Phase.CLOSING);
    if (before == Phase.STARTING || before == Phase.RUNNING) {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (submitting.get() > 0 && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(10_000);
      }
    }
    return before;
  }

  void setClosed() {
    phase.set(Phase.CLOSED);
    closed.complete(null);
  }
}
