package io.leanp2p.adversarial;

import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.NetworkListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/** Records a network's events (bounded: the oldest go first) and lets the test thread wait for one. */
final class Recorder implements NetworkListener {
  private static final int KEEP = 20_000;
  private final ConcurrentLinkedQueue<NetworkEvent> events = new ConcurrentLinkedQueue<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final NetworkListener first;

  Recorder(NetworkListener first) {
    this.first = first;
  }

  Recorder() {
    this(e -> {});
  }

  @Override
  public void onEvent(NetworkEvent e) {
    first.onEvent(e);
    events.add(e);
    if (events.size() > KEEP) {
      events.poll();
    }
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  <T extends NetworkEvent> List<T> all(Class<T> type, Predicate<T> p) {
    List<T> out = new ArrayList<>();
    for (NetworkEvent e : events) {
      if (type.isInstance(e) && p.test(type.cast(e))) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  /** Waits for a matching event (already recorded ones count); fails after {@code timeout}. */
  <T extends NetworkEvent> T await(Class<T> type, Predicate<T> p, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        List<T> m = all(type, p);
        if (!m.isEmpty()) {
          return m.get(0);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + type.getSimpleName() + " within " + timeout + "; last events: " + tail());
        }
        changed.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    } finally {
      lock.unlock();
    }
  }

  private String tail() {
    List<NetworkEvent> l = new ArrayList<>(events);
    return l.subList(Math.max(0, l.size() - 12), l.size()).toString();
  }
}
