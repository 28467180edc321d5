package io.leanp2p.cli.devnet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Follows each block from its publication to its arrival at every node that was up when it was
 * published: per-arrival latency, time until the last expected node had it, and which (slot, node)
 * pairs never arrived. Called from every node's listener thread and the table thread: synchronised
 * (this is CLI bookkeeping, not network state).
 */
public final class PropagationTracker {
  /** One block that did not reach one node. */
  public record Missing(long slot, int node) {}

  private static final class Block {
    final long publishedNanos;
    final int proposer;
    final Set<Integer> expected;
    final Map<Integer, Long> arrivals = new HashMap<>();

    Block(long publishedNanos, int proposer, Set<Integer> expected) {
      this.publishedNanos = publishedNanos;
      this.proposer = proposer;
      this.expected = expected;
    }
  }

  private final Map<Long, Block> blocks = new TreeMap<>();
  private final Map<Long, Map<Integer, Long>> early = new HashMap<>();
  private long duplicates;

  /**
   * A block was published.
   *
   * @param receivers the nodes that should receive it (every live node except the proposer)
   */
  public synchronized void published(long slot, int proposer, Set<Integer> receivers, long nanos) {
    Block b = new Block(nanos, proposer, new TreeSet<>(receivers));
    blocks.put(slot, b);
    Map<Integer, Long> pending = early.remove(slot);
    if (pending != null) {
      pending.forEach((node, t) -> arrive(b, node, t));
    }
  }

  /** A node received (and accepted) the block of {@code slot} at {@code nanos}. */
  public synchronized void received(long slot, int node, long nanos) {
    Block b = blocks.get(slot);
    if (b == null) {
      // the publisher's bookkeeping may run after a fast receiver's callback
      early.computeIfAbsent(slot, s -> new HashMap<>()).putIfAbsent(node, nanos);
      return;
    }
    arrive(b, node, nanos);
  }

  private void arrive(Block b, int node, long nanos) {
    if (b.arrivals.putIfAbsent(node, nanos) != null) {
      duplicates++;
    }
  }

  /** Latencies (publish → arrival) of every expected arrival so far. */
  public synchronized Percentiles arrivalLatency() {
    List<Long> all = new ArrayList<>();
    for (Block b : blocks.values()) {
      for (Map.Entry<Integer, Long> e : b.arrivals.entrySet()) {
        if (b.expected.contains(e.getKey())) {
          all.add(Math.max(0, e.getValue() - b.publishedNanos));
        }
      }
    }
    return Percentiles.of(all.stream().mapToLong(Long::longValue).toArray());
  }

  /** Per block that reached all its expected nodes: the time until the last one had it. */
  public synchronized Percentiles fullPropagation() {
    List<Long> all = new ArrayList<>();
    for (Block b : blocks.values()) {
      if (!b.expected.isEmpty() && b.arrivals.keySet().containsAll(b.expected)) {
        long last = 0;
        for (int n : b.expected) {
          last = Math.max(last, b.arrivals.get(n) - b.publishedNanos);
        }
        all.add(last);
      }
    }
    return Percentiles.of(all.stream().mapToLong(Long::longValue).toArray());
  }

  /** Every (slot, node) that was expected and has not arrived, in slot then node order. */
  public synchronized List<Missing> missing() {
    List<Missing> out = new ArrayList<>();
    for (Map.Entry<Long, Block> e : blocks.entrySet()) {
      for (int n : e.getValue().expected) {
        if (!e.getValue().arrivals.containsKey(n)) {
          out.add(new Missing(e.getKey(), n));
        }
      }
    }
    return out;
  }

  /** Blocks published so far. */
  public synchronized int blockCount() {
    return blocks.size();
  }

  /** Arrivals of a block at a node that already had it (should stay 0). */
  public synchronized long duplicates() {
    return duplicates;
  }

  /** Expected arrivals so far (sum over blocks of their receivers). */
  public synchronized long expectedArrivals() {
    long n = 0;
    for (Block b : blocks.values()) {
      n += b.expected.size();
    }
    return n;
  }
}
