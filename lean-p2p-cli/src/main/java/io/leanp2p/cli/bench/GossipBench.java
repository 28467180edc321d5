package io.leanp2p.cli.bench;

import io.leanp2p.peerclient.PeerClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures gossip between two connected peer processes on one topic: latency with one message in
 * flight (publish {@code ts} → receive {@code ts}, both CLOCK_MONOTONIC), then throughput with a
 * window of messages in flight.
 */
public final class GossipBench {
  private static final Logger LOG = LoggerFactory.getLogger(GossipBench.class);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);

  private GossipBench() {}

  /**
   * Connects {@code sub} to {@code pub} over {@code transport}, both subscribed to {@code topic},
   * and waits until the publisher has the subscriber in its mesh (graft) or at least knows its
   * subscription.
   */
  public static void connect(PeerClient pub, PeerClient sub, String transport, String topic) {
    String addr = pub.addr(transport);
    if (addr == null) {
      throw new IllegalStateException(pub.name() + " does not listen on " + transport);
    }
    Map<String, Object> r = sub.request(Map.of("cmd", "dial", "addr", addr), STEP_TIMEOUT);
    if ("error".equals(r.get("event"))) {
      throw new IllegalStateException("dial failed: " + r.get("error"));
    }
    pub.awaitEvent(e -> "subscription".equals(e.get("event")) && topic.equals(e.get("topic"))
        && sub.peerId().equals(e.get("peer")), STEP_TIMEOUT);
    try {
      pub.awaitEvent(e -> "graft".equals(e.get("event")) && topic.equals(e.get("topic")), Duration.ofSeconds(5));
    } catch (IllegalStateException e) {
      LOG.info("no graft seen within 5 s; publishing anyway (fanout)");
    }
  }

  /**
   * Runs one measurement; the peers must be connected on {@code topic}. First a warm-up (the same
   * traffic as the throughput run, untimed, so the JITs of both peers have compiled the path), then
   * latency with one message in flight, then throughput with {@code window} messages in flight, with
   * the CPU time each peer process used during the throughput run.
   */
  public static BenchResult run(PeerClient pub, PeerClient sub, String pubName, String subName, String transport,
      String topic, int size, int latencyCount, int throughputCount, int window) {
    Map<String, Double> received = new ConcurrentHashMap<>();
    Semaphore arrivals = new Semaphore(0);
    sub.tap(e -> {
      if ("message".equals(e.get("event")) && topic.equals(e.get("topic"))) {
        received.put((String) e.get("msgId"), ((Number) e.get("ts")).doubleValue());
        arrivals.release();
      }
    });
    try {
      long lost = 0;
      Pumped warm = pump(pub, received, arrivals, topic, size, Math.max(100, throughputCount / 4), window);
      LOG.info("warm-up: {} of {} arrived", warm.arrived(), warm.sent());
      reset(pub, sub, received, arrivals);
      // latency: one in flight
      double[] lat = new double[latencyCount];
      for (int i = 0; i < latencyCount; i++) {
        Map<String, Object> p = publish(pub, topic, size);
        String id = (String) p.get("msgId");
        double ts = ((Number) p.get("ts")).doubleValue();
        if (!awaitArrival(arrivals, received, id, STEP_TIMEOUT)) {
          lost++;
          lat[i] = Double.NaN;
          continue;
        }
        lat[i] = received.get(id) - ts;
      }
      double[] ok = java.util.Arrays.stream(lat).filter(d -> !Double.isNaN(d)).toArray();
      reset(pub, sub, received, arrivals);
      // throughput: a window in flight
      long pubCpu0 = pub.cpuNanos();
      long subCpu0 = sub.cpuNanos();
      Pumped run = pump(pub, received, arrivals, topic, size, throughputCount, window);
      double pubCpu = (pub.cpuNanos() - pubCpu0) / (double) run.nanos();
      double subCpu = (sub.cpuNanos() - subCpu0) / (double) run.nanos();
      lost += run.sent() - run.arrived();
      double secs = run.nanos() / 1e9;
      return new BenchResult(pubName, subName, transport, size, ok.length, BenchResult.quantile(ok, 0.5),
          BenchResult.quantile(ok, 0.99), run.arrived(), run.arrived() / secs, run.arrived() * (double) size / secs / 1e6,
          pubCpu, subCpu, lost, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return BenchResult.failed(pubName, subName, transport, size, "interrupted");
    } finally {
      sub.tap(null);
      pub.clearEvents();
      sub.clearEvents();
    }
  }

  /** What one pump run did: messages sent, arrived, and the time from the first send to the last arrival. */
  private record Pumped(int sent, int arrived, long nanos) {}

  /**
   * Publishes {@code count} messages keeping at most {@code window} in flight (published but not
   * yet received), then waits for the stragglers (at most {@link #STEP_TIMEOUT}).
   */
  private static Pumped pump(PeerClient pub, Map<String, Double> received, Semaphore arrivals, String topic, int size,
      int count, int window) throws InterruptedException {
    int before = received.size();
    long t0 = System.nanoTime();
    int sent = 0;
    for (int i = 0; i < count; i++) {
      // in flight = sent - arrived; wait for an arrival when the window is full
      while (sent - (received.size() - before) >= window) {
        if (!arrivals.tryAcquire(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          return finish(received, arrivals, before, sent, t0); // stalled: count what arrived
        }
      }
      pub.send(publishCommand(topic, size));
      sent++;
      if (i % 256 == 255) {
        pub.clearEvents(); // keep the publisher's event list short
      }
    }
    return finish(received, arrivals, before, sent, t0);
  }

  private static Pumped finish(Map<String, Double> received, Semaphore arrivals, int before, int sent, long t0)
      throws InterruptedException {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (received.size() - before < sent && System.nanoTime() < deadline) {
      arrivals.tryAcquire(50, TimeUnit.MILLISECONDS);
    }
    return new Pumped(sent, received.size() - before, System.nanoTime() - t0);
  }

  private static void reset(PeerClient pub, PeerClient sub, Map<String, Double> received, Semaphore arrivals) {
    pub.clearEvents();
    sub.clearEvents();
    received.clear();
    arrivals.drainPermits();
  }

  /**
   * A publish command for {@code size} bytes: the peer builds the payload itself (peer protocol:
   * counter, nonce, random filler; unique and incompressible), so no payload crosses the driver's
   * pipe and the driver does not cap the throughput.
   */
  static Map<String, Object> publishCommand(String topic, int size) {
    return Map.of("cmd", "publish", "topic", topic, "size", size);
  }

  private static Map<String, Object> publish(PeerClient pub, String topic, int size) {
    Map<String, Object> r = pub.request(publishCommand(topic, size), STEP_TIMEOUT);
    if (!"published".equals(r.get("event"))) {
      throw new IllegalStateException("publish failed: " + r.get("error"));
    }
    return r;
  }

  private static boolean awaitArrival(Semaphore arrivals, Map<String, Double> received, String id, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!received.containsKey(id)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      arrivals.tryAcquire(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS);
    }
    return true;
  }
}
