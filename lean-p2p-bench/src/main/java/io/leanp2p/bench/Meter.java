package io.leanp2p.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Load-independent measures for the in-process benchmarks: CPU time and bytes allocated by the
 * threads of each network (grouped by thread-name prefix, e.g. {@code lean-p2p-g-pub} for the
 * publisher's event loop and delivery thread), the process CPU time, and the time spent in GC
 * pauses. Take a {@link #snapshot} before and after a phase and subtract. On a shared machine these
 * move far less than wall-clock rates do: CPU time and allocation count work done, not time waited.
 *
 * <p>Only JDK management beans are used, so the class compiles against any version of the library
 * (the before/after script builds it against the baseline too).
 */
public final class Meter {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  static {
    THREADS.setThreadAllocatedMemoryEnabled(true);
    THREADS.setThreadCpuTimeEnabled(true);
  }

  /** A point-in-time reading. */
  public record Snapshot(
      long nanos,
      long processCpuNanos,
      Map<String, Long> cpuByGroup,
      Map<String, Long> allocByGroup,
      long gcPauseMillis,
      long gcCount) {}

  private final List<String> groups;

  /**
   * @param groups thread-name prefixes; a thread counts for the first prefix it starts with, the
   *     rest for the group {@code "other"}; the calling thread (the benchmark driver) counts as
   *     {@code "driver"}
   */
  public Meter(List<String> groups) {
    this.groups = groups;
  }

  public Snapshot snapshot() {
    Map<String, Long> cpu = new HashMap<>();
    Map<String, Long> alloc = new HashMap<>();
    Thread self = Thread.currentThread();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String g = t == self ? "driver" : group(t.getName());
      long id = t.threadId();
      long c = THREADS.getThreadCpuTime(id);
      long a = THREADS.getThreadAllocatedBytes(id);
      if (c > 0) {
        cpu.merge(g, c, Long::sum);
      }
      if (a > 0) {
        alloc.merge(g, a, Long::sum);
      }
    }
    long pause = 0;
    long count = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      // G1 / Parallel / Serial report stop-the-world collections; skip concurrent cycle beans
      if (gc.getName().contains("Concurrent") || gc.getName().contains("Cycles")) {
        continue;
      }
      pause += Math.max(0, gc.getCollectionTime());
      count += Math.max(0, gc.getCollectionCount());
    }
    return new Snapshot(System.nanoTime(), OS.getProcessCpuTime(), cpu, alloc, pause, count);
  }

  private String group(String threadName) {
    for (String g : groups) {
      if (threadName.startsWith(g)) {
        return g;
      }
    }
    return "other";
  }

  /** {@code after - before} of one group's CPU nanoseconds (threads that died in between are lost). */
  public static long cpu(Snapshot before, Snapshot after, String group) {
    return after.cpuByGroup().getOrDefault(group, 0L) - before.cpuByGroup().getOrDefault(group, 0L);
  }

  /** {@code after - before} of one group's allocated bytes. */
  public static long alloc(Snapshot before, Snapshot after, String group) {
    return after.allocByGroup().getOrDefault(group, 0L) - before.allocByGroup().getOrDefault(group, 0L);
  }

  /** GC pause time as a fraction of the wall time between the snapshots. */
  public static double gcFraction(Snapshot before, Snapshot after) {
    double wallMs = (after.nanos() - before.nanos()) / 1e6;
    return wallMs <= 0 ? 0 : (after.gcPauseMillis() - before.gcPauseMillis()) / wallMs;
  }

  /** One-line description of this JVM and machine for result headers. */
  public static String environment() {
    return String.format(
        java.util.Locale.ROOT,
        "%d CPUs, load average %.2f, Java %s, heap max %d MiB, GC %s",
        Runtime.getRuntime().availableProcessors(),
        OS.getSystemLoadAverage(),
        System.getProperty("java.runtime.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        String.join("+", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList()));
  }
}
