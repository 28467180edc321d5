package io.leanp2p.cli.bench;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
  public static void connect(PeerProcess pub, PeerProcess sub, String transport, String topic) {
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

  /** Runs one measurement; the peers must be connected on {@code topic}. */
  public static BenchResult run(PeerProcess pub, PeerProcess sub, String pubName, String subName, String transport,
      String topic, int size, int latencyCount, int throughputCount, int window) {
    Map<String, Double> received = new ConcurrentHashMap<>();
    Semaphore arrivals = new Semaphore(0);
    sub.tap(e -> {
      if ("message".equals(e.get("event")) && topic.equals(e.get("topic"))) {
        received.put((String) e.get("msgId"), ((BigDecimal) e.get("ts")).doubleValue());
        arrivals.release();
      }
    });
    try {
      // latency: one in flight
      double[] lat = new double[latencyCount];
      long lost = 0;
      for (int i = 0; i < latencyCount; i++) {
        Map<String, Object> p = publish(pub, topic, size);
        String id = (String) p.get("msgId");
        double ts = ((BigDecimal) p.get("ts")).doubleValue();
        if (!awaitArrival(arrivals, received, id, STEP_TIMEOUT)) {
          lost++;
          lat[i] = Double.NaN;
          continue;
        }
        lat[i] = received.get(id) - ts;
      }
      double[] ok = java.util.Arrays.stream(lat).filter(d -> !Double.isNaN(d)).toArray();
      pub.clearEvents();
      sub.clearEvents();
      received.clear();
      arrivals.drainPermits();
      // throughput: a window in flight
      Semaphore inFlight = new Semaphore(window);
      List<String> ids = new ArrayList<>();
      sub.tap(e -> {
        if ("message".equals(e.get("event")) && topic.equals(e.get("topic"))) {
          received.put((String) e.get("msgId"), ((BigDecimal) e.get("ts")).doubleValue());
          inFlight.release();
        }
      });
      long t0 = System.nanoTime();
      for (int i = 0; i < throughputCount; i++) {
        if (!inFlight.tryAcquire(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          break; // stalled: count what arrived
        }
        long id = pub.send(publishCommand(topic, size, RANDOM));
        ids.add(Long.toString(id));
        if (i % 256 == 255) {
          pub.clearEvents(); // keep the publisher's event list short
        }
      }
      long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
      while (received.size() < ids.size() && System.nanoTime() < deadline) {
        inFlight.tryAcquire(50, TimeUnit.MILLISECONDS);
      }
      long elapsed = System.nanoTime() - t0;
      int got = received.size();
      lost += ids.size() - got;
      double secs = elapsed / 1e9;
      return new BenchResult(pubName, subName, transport, size, ok.length, BenchResult.quantile(ok, 0.5),
          BenchResult.quantile(ok, 0.99), got, got / secs, got * (double) size / secs / 1e6, lost, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return BenchResult.failed(pubName, subName, transport, size, "interrupted");
    } finally {
      sub.tap(null);
      pub.clearEvents();
      sub.clearEvents();
    }
  }

  /**
   * A publish command for {@code size} bytes: a fresh random (incompressible) payload sent as raw
   * snappy ({@code dataHex}), which every peer can publish as given; a {@code size} payload would
   * not be valid snappy, which our host API cannot publish yet.
   */
  static Map<String, Object> publishCommand(String topic, int size, java.util.Random random) {
    byte[] data = new byte[size];
    random.nextBytes(data);
    return Map.of("cmd", "publish", "topic", topic, "dataHex",
        io.leanp2p.util.Hex.encode(io.leanp2p.codec.snappy.SnappyBlock.compress(data)));
  }

  private static final java.util.Random RANDOM = new java.util.Random();

  private static Map<String, Object> publish(PeerProcess pub, String topic, int size) {
    Map<String, Object> r = pub.request(publishCommand(topic, size, RANDOM), STEP_TIMEOUT);
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
