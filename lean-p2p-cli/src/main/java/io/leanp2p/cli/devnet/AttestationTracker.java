package io.leanp2p.cli.devnet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which node received which attestation: for every (slot, attester) the nodes that must receive it
 * (every node connected and subscribed when it was published, but the attester) and the nodes that
 * did. Arrivals may be reported before the publication is recorded (a fast receiver), and arrivals
 * nobody expected (the late node receiving an attestation from before it joined) are kept apart.
 * Called from the nodes' listener threads, the worker pipes and the runner: synchronised (CLI
 * bookkeeping, not network state).
 */
public final class AttestationTracker {
  /** One attestation that did not reach one node. */
  public record Missing(long slot, int validator, int node) {}

  /** (slot, validator) -> nodes that must receive it. */
  private final Map<Long, Map<Integer, Set<Integer>>> expected = new TreeMap<>();
  /** (slot, validator) -> nodes that did. */
  private final Map<Long, Map<Integer, Set<Integer>>> arrived = new HashMap<>();

  /** {@code validator} published its attestation for {@code slot}; {@code receivers} must get it. */
  public synchronized void published(long slot, int validator, Set<Integer> receivers) {
    Set<Integer> r = new TreeSet<>(receivers);
    r.remove(validator);
    expected.computeIfAbsent(slot, s -> new TreeMap<>()).put(validator, r);
  }

  /** {@code node} received (for the first time) the attestation of {@code validator} for {@code slot}. */
  public synchronized void attested(long slot, int validator, int node) {
    arrived.computeIfAbsent(slot, s -> new HashMap<>()).computeIfAbsent(validator, v -> new HashSet<>()).add(node);
  }

  /** Deliveries that must happen. */
  public synchronized long expectedCount() {
    long n = 0;
    for (Map<Integer, Set<Integer>> bySlot : expected.values()) {
      for (Set<Integer> r : bySlot.values()) {
        n += r.size();
      }
    }
    return n;
  }

  /** Expected deliveries that happened. */
  public synchronized long receivedCount() {
    return expectedCount() - missing().size();
  }

  /** Deliveries that happened without being expected (e.g. to the late node, from before it joined). */
  public synchronized long unexpectedCount() {
    long n = 0;
    for (Map.Entry<Long, Map<Integer, Set<Integer>>> s : arrived.entrySet()) {
      Map<Integer, Set<Integer>> exp = expected.getOrDefault(s.getKey(), Map.of());
      for (Map.Entry<Integer, Set<Integer>> v : s.getValue().entrySet()) {
        Set<Integer> want = exp.getOrDefault(v.getKey(), Set.of());
        for (int node : v.getValue()) {
          if (!want.contains(node)) {
            n++;
          }
        }
      }
    }
    return n;
  }

  /** Every expected delivery that has not happened, by slot, then attester, then node. */
  public synchronized List<Missing> missing() {
    List<Missing> out = new ArrayList<>();
    for (Map.Entry<Long, Map<Integer, Set<Integer>>> s : expected.entrySet()) {
      Map<Integer, Set<Integer>> got = arrived.getOrDefault(s.getKey(), Map.of());
      for (Map.Entry<Integer, Set<Integer>> v : s.getValue().entrySet()) {
        Set<Integer> have = got.getOrDefault(v.getKey(), Set.of());
        for (int node : v.getValue()) {
          if (!have.contains(node)) {
            out.add(new Missing(s.getKey(), v.getKey(), node));
          }
        }
      }
    }
    return out;
  }
}
