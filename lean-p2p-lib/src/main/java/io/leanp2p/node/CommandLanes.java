package io.leanp2p.node;

import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The two bounded command lanes into a network's event loop.
 *
 * <ul>
 *   <li><b>control</b>: response chunks, end of stream, error responses, validation results,
 *       stop — the traffic that completes work other peers are waiting on;
 *   <li><b>bulk</b>: publishes, requests, dials, subscriptions.
 * </ul>
 *
 * Each lane is a lock-free bounded multi-producer / single-consumer queue, so a full bulk lane can
 * never fill or delay the control lane. Producers (any thread) call {@link #offer}; the loop is
 * woken only when nothing is pending yet (one {@code execute} per burst, not per command). The
 * loop drains at most {@code drainBatch} commands per turn, control first. What is left is drained
 * by a continuation, posted through {@code continueAfterIo}: Netty runs every task queued during a
 * pass of its loop in that same pass (up to its 1 s task quantum), so a plain re-{@code execute}
 * would not let sockets in; the network posts the continuation as a task that runs after the
 * current pass's I/O ({@code executeAfterEventLoopIteration} → {@code execute}), so a backlog is
 * drained {@code drainBatch} commands per pass with the I/O that arrived in between.
 */
final class CommandLanes<C> {
  enum Lane {
    CONTROL,
    BULK
  }

  private final Queue<C> control;
  private final Queue<C> bulk;
  private final int controlCapacity;
  private final int bulkCapacity;
  private final int drainBatch;
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final LongAdder[] full = {new LongAdder(), new LongAdder()};
  private final LongAdder[] accepted = {new LongAdder(), new LongAdder()};
  private final Consumer<Runnable> executor;
  private final Consumer<Runnable> continueAfterIo;
  private final Runnable drainTask;
  private final Consumer<C> handler;

  /**
   * @param executor runs the drain task on the owner thread (the event loop's {@code execute})
   * @param handler called on the owner thread for each drained command
   */
  CommandLanes(
      int controlCapacity,
      int bulkCapacity,
      int drainBatch,
      Consumer<Runnable> executor,
      Consumer<C> handler) {
    this(controlCapacity, bulkCapacity, drainBatch, executor, executor, handler);
  }

  /**
   * @param executor runs the drain task on the owner thread (the event loop's {@code execute})
   * @param continueAfterIo runs a drain continuation on the owner thread after pending I/O
   * @param handler called on the owner thread for each drained command
   */
  CommandLanes(
      int controlCapacity,
      int bulkCapacity,
      int drainBatch,
      Consumer<Runnable> executor,
      Consumer<Runnable> continueAfterIo,
      Consumer<C> handler) {
    if (controlCapacity < 2 || bulkCapacity < 2 || drainBatch < 1) {
      throw new IllegalArgumentException("capacities must be >= 2 and drain batch >= 1");
    }
    this.controlCapacity = controlCapacity;
    this.bulkCapacity = bulkCapacity;
    this.control = PlatformDependent.newFixedMpscQueue(controlCapacity);
    this.bulk = PlatformDependent.newFixedMpscQueue(bulkCapacity);
    this.drainBatch = drainBatch;
    this.executor = executor;
    this.continueAfterIo = continueAfterIo;
    this.handler = handler;
    this.drainTask = this::drain;
  }

  /** Enqueues without blocking; false when the lane is full (counted). */
  boolean offer(Lane lane, C command) {
    Queue<C> q = lane == Lane.CONTROL ? control : bulk;
    if (!q.offer(command)) {
      full[lane.ordinal()].increment();
      return false;
    }
    accepted[lane.ordinal()].increment();
    if (!wakeupPending.get() && wakeupPending.compareAndSet(false, true)) {
      executor.accept(drainTask);
    }
    return true;
  }

  /**
   * Enqueues, waiting up to {@code maxWaitNanos} for room (park with growing pauses, at most 1 ms),
   * and giving up early once {@code keepWaiting} turns false. Never waits when called with 0.
   */
  boolean offer(Lane lane, C command, long maxWaitNanos, java.util.function.BooleanSupplier keepWaiting) {
    if (offer(lane, command)) {
      return true;
    }
    long deadline = System.nanoTime() + maxWaitNanos;
    long pause = 1_000;
    while (System.nanoTime() - deadline < 0 && keepWaiting.getAsBoolean()) {
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 1_000_000);
      Queue<C> q = lane == Lane.CONTROL ? control : bulk;
      if (q.offer(command)) {
        accepted[lane.ordinal()].increment();
        if (!wakeupPending.get() && wakeupPending.compareAndSet(false, true)) {
          executor.accept(drainTask);
        }
        return true;
      }
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
    }
    return false;
  }

  /** Runs on the owner thread: at most {@code drainBatch} commands, control lane first. */
  private void drain() {
    wakeupPending.set(false);
    int n = 0;
    C c;
    while (n < drainBatch && (c = control.poll()) != null) {
      handler.accept(c);
      n++;
    }
    while (n < drainBatch && (c = bulk.poll()) != null) {
      handler.accept(c);
      n++;
    }
    if ((!control.isEmpty() || !bulk.isEmpty()) && wakeupPending.compareAndSet(false, true)) {
      continueAfterIo.accept(drainTask); // the rest after the I/O that is waiting
    }
  }

  /** Owner thread, at close: hands every still-queued command to {@code sink}. */
  void drainAll(Consumer<C> sink) {
    C c;
    while ((c = control.poll()) != null) {
      sink.accept(c);
    }
    while ((c = bulk.poll()) != null) {
      sink.accept(c);
    }
  }

  int depth(Lane lane) {
    return (lane == Lane.CONTROL ? control : bulk).size();
  }

  int capacity(Lane lane) {
    return lane == Lane.CONTROL ? controlCapacity : bulkCapacity;
  }

  long fullCount(Lane lane) {
    return full[lane.ordinal()].sum();
  }

  long acceptedCount(Lane lane) {
    return accepted[lane.ordinal()].sum();
  }
}
