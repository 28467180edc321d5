package io.leanp2p.adversarial;

import java.io.File;
import java.time.Duration;
import java.util.function.LongSupplier;

/** The test process's open file descriptors and live heap, for leak checks after churn. */
final class Resources {
  private Resources() {}

  /** Whether this system lets a process count its file descriptors (/proc/self/fd: Linux). */
  static boolean canCountFds() {
    return new File("/proc/self/fd").isDirectory();
  }

  /** Open file descriptors of this process (/proc/self/fd). */
  static long openFds() {
    String[] fds = new File("/proc/self/fd").list();
    if (fds == null) {
      throw new IllegalStateException("no /proc/self/fd here");
    }
    return fds.length;
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
