package io.leanp2p.util;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * Time and timers as seen by the single-threaded components of a network (router, req/resp,
 * peer manager). In production it is the network's event loop; in tests a {@code VirtualScheduler}
 * runs whole networks in one thread under virtual time. Tasks run on the owner thread only.
 */
public interface Scheduler {
  /** Monotonic time in nanoseconds (arbitrary origin). */
  long nanoTime();

  /** Monotonic time in milliseconds. */
  default long millis() {
    return TimeUnit.NANOSECONDS.toMillis(nanoTime());
  }

  /** Runs {@code task} after {@code delayNanos}; the returned handle cancels it. */
  Cancellable schedule(long delayNanos, Runnable task);

  default Cancellable scheduleMillis(long delayMillis, Runnable task) {
    return schedule(TimeUnit.MILLISECONDS.toNanos(delayMillis), task);
  }

  /** A scheduled task that may be cancelled; cancelling twice or after it ran is harmless. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }

  /** The production scheduler: the network's Netty event loop and {@link System#nanoTime()}. */
  static Scheduler of(EventLoop loop) {
    return new Scheduler() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Cancellable schedule(long delayNanos, Runnable task) {
        var f = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      }
    };
  }
}
