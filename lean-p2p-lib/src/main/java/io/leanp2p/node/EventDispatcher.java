package io.leanp2p.node;

import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events from the event loop to host code on a thread of its own, so host code never
 * runs on the network thread and a slow host cannot stall I/O.
 *
 * <p>Four queues, one per event class (peer, response, inbound request, gossip), each bounded by its
 * capacity: {@link #offer} returns false when the class is full, counts the refusal as shed, and
 * the producer applies its class's rule (gossip → validation IGNORE, inbound request → error
 * response, response chunk → the request ends SHED, informational peer event → dropped). Events
 * that must never be shed (a request's terminal event, a peer's disconnection) go through {@link
 * #offerReserved}, which may use a reserve above the capacity; the producers bound those by
 * construction (in-flight requests, connected peers), so the reserve is never exhausted.
 *
 * <p>Each queue has a high watermark at 3/4 of its capacity (the loop pauses the sockets that feed
 * it) and a low watermark at 1/4; crossing below the low watermark while paused runs the class's
 * resume callback on the loop. Peer events are delivered first in each round.
 *
 * <p>Only the loop thread offers (single producer); only the delivery thread polls.
 */
final class EventDispatcher<E> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  /** Event classes, in delivery priority order. */
  enum EventClass {
    PEER,
    RESPONSE,
    INBOUND_REQUEST,
    GOSSIP
  }

  private final String name;
  private final Consumer<E> listener;
  private final Consumer<Runnable> loopExecutor;
  private final Queue<E>[] queues;
  private final int[] capacity;
  private final int[] reserve;
  private final LongAdder[] shed;
  private final AtomicInteger[] depth;
  private final AtomicBoolean[] paused;
  private final Runnable[] resume;
  private final LongAdder[] delivered;
  private final LongAdder listenerFailures = new LongAdder();
  private final LongAdder discardedAtClose = new LongAdder();
  private final Thread thread;
  private volatile boolean sleeping;
  private volatile boolean closing;
  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * @param capacities per class: what {@link #offer} may fill
   * @param reserves per class: the room above the capacity that only {@link #offerReserved} uses
   * @param resume per class, run on the loop when the class drops below its low watermark after
   *     having been marked paused (may be null)
   */
  @SuppressWarnings("unchecked")
  EventDispatcher(
      String name,
      Consumer<E> listener,
      ThreadFactory threadFactory,
      Consumer<Runnable> loopExecutor,
      int[] capacities,
      int[] reserves,
      Runnable[] resume) {
    int n = EventClass.values().length;
    this.name = name;
    this.listener = listener;
    this.loopExecutor = loopExecutor;
    this.queues = new Queue[n];
    this.capacity = capacities.clone();
    this.reserve = reserves.clone();
    this.shed = new LongAdder[n];
    this.depth = new AtomicInteger[n];
    this.paused = new AtomicBoolean[n];
    this.resume = resume.clone();
    this.delivered = new LongAdder[n];
    for (EventClass c : EventClass.values()) {
      int i = c.ordinal();
      queues[i] = PlatformDependent.newFixedMpscQueue(capacity[i] + reserve[i]);
      shed[i] = new LongAdder();
      depth[i] = new AtomicInteger();
      paused[i] = new AtomicBoolean();
      delivered[i] = new LongAdder();
    }
    this.thread = threadFactory.newThread(this::run);
    this.thread.start();
  }

  /**
   * Offers an event; false (nothing queued, counted as shed) when the class is at its capacity, and
   * always false once closing. Loop thread (the only producer).
   */
  boolean offer(EventClass c, E event) {
    return offer(c, event, capacity[c.ordinal()]);
  }

  /**
   * Offers an event that must not be shed (terminal, disconnection): it may use the class's
   * reserve above the capacity. False only when the reserve is exhausted too (counted) or closing.
   */
  boolean offerReserved(EventClass c, E event) {
    return offer(c, event, capacity[c.ordinal()] + reserve[c.ordinal()]);
  }

  private boolean offer(EventClass c, E event, int limit) {
    if (closing) {
      return false;
    }
    int i = c.ordinal();
    if (depth[i].get() >= limit || !queues[i].offer(event)) {
      shed[i].increment();
      return false;
    }
    depth[i].incrementAndGet();
    if (sleeping) {
      LockSupport.unpark(thread);
    }
    return true;
  }

  /** Offers refused because the class was full (or its reserve exhausted). */
  long shed(EventClass c) {
    return shed[c.ordinal()].sum();
  }

  /** True when the class is at its capacity: a plain {@link #offer} would fail. */
  boolean isFull(EventClass c) {
    return depth[c.ordinal()].get() >= capacity[c.ordinal()];
  }

  /** True when the class is at or above its high watermark (3/4 of capacity). Loop thread. */
  boolean aboveHighWatermark(EventClass c) {
    return depth[c.ordinal()].get() >= capacity[c.ordinal()] * 3 / 4;
  }

  /**
   * Loop thread: records that the loop paused the sources of this class; the resume callback runs
   * once the delivery thread drains below the low watermark.
   */
  void markPaused(EventClass c) {
    paused[c.ordinal()].set(true);
  }

  int depth(EventClass c) {
    return depth[c.ordinal()].get();
  }

  int capacity(EventClass c) {
    return capacity[c.ordinal()];
  }

  long delivered(EventClass c) {
    return delivered[c.ordinal()].sum();
  }

  long discardedAtClose() {
    return discardedAtClose.sum();
  }

  long listenerFailures() {
    return listenerFailures.sum();
  }

  private void run() {
    try {
      while (true) {
        boolean any = false;
        for (EventClass c : EventClass.values()) {
          int i = c.ordinal();
          // peer events and responses drain fully; the bounded classes a slice at a time
          int budget = (c == EventClass.PEER || c == EventClass.RESPONSE) ? Integer.MAX_VALUE : 64;
          E e;
          if (closing && (c == EventClass.GOSSIP || c == EventClass.INBOUND_REQUEST)) {
            // moot once closing: discarded (counted); terminal and peer events are still delivered
            while ((e = queues[i].poll()) != null) {
              depth[i].decrementAndGet();
              discardedAtClose.increment();
            }
            continue;
          }
          while (budget-- > 0 && (e = queues[i].poll()) != null) {
            any = true;
            int d = depth[i].decrementAndGet();
            deliver(e);
            delivered[i].increment();
            maybeResume(c, d);
          }
        }
        if (!any) {
          if (closing && allEmpty()) {
            return;
          }
          sleeping = true;
          if (allEmpty() && !closing) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
          }
          sleeping = false;
        }
      }
    } finally {
      stopped.countDown();
    }
  }

  private void maybeResume(EventClass c, int depthNow) {
    int i = c.ordinal();
    if (resume[i] != null && depthNow <= capacity[i] / 4 && paused[i].compareAndSet(true, false)) {
      try {
        loopExecutor.accept(resume[i]);
      } catch (RuntimeException rejected) {
        // loop already shut down: nothing to resume
      }
    }
  }

  private void deliver(E e) {
    try {
      listener.accept(e);
    } catch (Throwable t) {
      listenerFailures.increment();
      LOG.warn("[{}] host listener threw on {}: {}", name, e.getClass().getSimpleName(), t.toString(), t);
      if (t instanceof VirtualMachineError vme) {
        throw vme;
      }
    }
  }

  private boolean allEmpty() {
    for (Queue<E> q : queues) {
      if (!q.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stops accepting events, delivers what is queued (waiting at most {@code maxWaitMillis}), and
   * stops the thread. Returns true if every queued event was delivered.
   */
  boolean close(long maxWaitMillis) {
    closing = true;

    LockSupport.unpark(thread);
    try {
      if (Thread.currentThread() == thread) {
        return false; // closed from inside a listener: the thread ends after this event
      }
      boolean done = stopped.await(maxWaitMillis, TimeUnit.MILLISECONDS);
      if (!done) {
        thread.interrupt();
      }
      thread.join(done ? 1_000 : 100);
      return done;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    close(5_000);
  }

  Thread thread() {
    return thread;
  }
}
