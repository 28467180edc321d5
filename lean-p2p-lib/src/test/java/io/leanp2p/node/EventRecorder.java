package io.leanp2p.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/** Test listener: records every event and lets a test wait for one that matches (no sleeps). */
final class EventRecorder implements NetworkListener {
  private final List<NetworkEvent> events = new CopyOnWriteArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile NetworkListener delegate;

  @Override
  public void onEvent(NetworkEvent event) {
    NetworkListener d = delegate;
    if (d != null) {
      d.onEvent(event);
    }
    events.add(event);
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Also calls {@code d} for each event (before recording it), on the delivery thread. */
  EventRecorder also(NetworkListener d) {
    this.delegate = d;
    return this;
  }

  List<NetworkEvent> events() {
    return List.copyOf(events);
  }

  <T extends NetworkEvent> List<T> all(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (NetworkEvent e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  <T extends NetworkEvent> T await(Class<T> type, Predicate<T> p, Duration timeout) {
    return awaitCount(type, p, 1, timeout).get(0);
  }

  <T extends NetworkEvent> T await(Class<T> type, Duration timeout) {
    return await(type, e -> true, timeout);
  }

  /** Waits until at least {@code n} matching events were recorded; fails on timeout. */
  <T extends NetworkEvent> List<T> awaitCount(Class<T> type, Predicate<T> p, int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        List<T> m = new ArrayList<>();
        for (NetworkEvent e : events) {
          if (type.isInstance(e) && p.test(type.cast(e))) {
            m.add(type.cast(e));
          }
        }
        if (m.size() >= n) {
          return m;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + n + " x " + type.getSimpleName()
              + " (have " + m.size() + "); events so far: " + summary());
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

  private String summary() {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    for (NetworkEvent e : events) {
      if (i++ > 40) {
        sb.append(" ...");
        break;
      }
      sb.append(' ').append(e instanceof NetworkEvent.RequestFailed || e instanceof NetworkEvent.ConnectionFailed
          || e instanceof NetworkEvent.PeerDisconnected ? e.toString() : e.getClass().getSimpleName());
    }
    return sb.toString();
  }
}
