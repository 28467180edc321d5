package io.leanp2p.adversarial;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/** The test process's open file descriptors and live heap, for leak checks after churn. */
final class Resources {
  private Resources() {}

  /** Open file descriptors of this process (Linux: /proc/self/fd; else the JMX count). */
  static long openFds() {
    String[] fds = new File("/proc/self/fd").list();
    if (fds != null) {
      return fds.length;
    }
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
      return u.getOpenFileDescriptorCount();
    }
    throw new IllegalStateException("cannot count file descriptors here");
  }

  /** Heap in use after full collections. */
  static long liveHeap() {
    Runtime rt = Runtime.getRuntime();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      best = Math.min(best, rt.totalMemory() - rt.freeMemory());
    }
    return best;
  }

  /**
   * Polls {@code value} (an OS count with no event to wait on) until it is at most {@code limit}
   * or {@code timeout} passed; returns the last value.
   */
  static long settlesAtMost(LongSupplier value, long limit, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long v = value.getAsLong();
    while (v > limit && System.nanoTime() < deadline) {
      Thread.sleep(50);
      v = value.getAsLong();
    }
    return v;
  }
}
