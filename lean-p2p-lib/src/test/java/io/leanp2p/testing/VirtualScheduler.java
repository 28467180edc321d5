package io.leanp2p.testing;

import io.leanp2p.util.Scheduler;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic {@link Scheduler} under virtual time for single-threaded tests: nothing runs
 * until the test advances time; tasks due at the same instant run in the order scheduled.
 */
public final class VirtualScheduler implements Scheduler {
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long now;
  private long seq;

  private static final class Task implements Comparable<Task> {
    final long due;
    final long seq;
    final Runnable run;
    boolean cancelled;

    Task(long due, long seq, Runnable run) {
      this.due = due;
      this.seq = seq;
      this.run = run;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public Cancellable schedule(long delayNanos, Runnable task) {
    Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
    queue.add(t);
    return () -> t.cancelled = true;
  }

  /** Runs every task due within the next {@code nanos}, advancing time task by task. */
  public void advance(long nanos) {
    long target = now + nanos;
    while (!queue.isEmpty() && queue.peek().due <= target) {
      Task t = queue.poll();
      now = Math.max(now, t.due);
      if (!t.cancelled) {
        t.run.run();
      }
    }
    now = target;
  }

  public void advanceMillis(long millis) {
    advance(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  /** Runs tasks that are due now (including ones they schedule with zero delay). */
  public void runDue() {
    advance(0);
  }

  public int pending() {
    return (int) queue.stream().filter(t -> !t.cancelled).count();
  }
}
