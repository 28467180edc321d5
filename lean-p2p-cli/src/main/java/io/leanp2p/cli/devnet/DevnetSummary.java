package io.leanp2p.cli.devnet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The devnet's end-of-run summary: did every node get every block and every attestation published
 * while it was part of the network (connected, and subscribed as its peers know), propagation
 * percentiles, the late joiner's sync, and any loss. {@link #text()} for people, {@link #toJson()}
 * for {@code --json}.
 *
 * @param lateStartedSlot the slot in which the late node was started (-1: none)
 * @param lateCountsFrom the first slot whose publishes found the late node joined; from then on it
 *     must receive everything and everyone must receive its attestations (-1: it never joined)
 * @param syncNanos time from the late node's start until it held every block (-1: no late node or
 *     it never finished)
 * @param syncProblems parent-root / range violations the late node detected (empty when fine)
 * @param attestationsMissing expected attestation deliveries that did not happen
 */
public record DevnetSummary(
    int nodes,
    String transport,
    long slots,
    int blockBytes,
    int blocksPublished,
    long expectedArrivals,
    List<PropagationTracker.Missing> missing,
    Percentiles arrival,
    Percentiles full,
    boolean lateNode,
    long lateStartedSlot,
    long lateCountsFrom,
    int syncedBlocks,
    long syncNanos,
    List<String> syncProblems,
    long attestationsExpected,
    long attestationsReceived,
    List<AttestationTracker.Missing> attestationsMissing,
    long requests,
    long requestFailures,
    long drops) {

  /**
   * True when every block and every attestation reached every node that was part of the network
   * when it was published, the late node joined and synced without problems.
   */
  public boolean ok() {
    return missing.isEmpty() && attestationsMissing.isEmpty() && syncProblems.isEmpty()
        && (!lateNode || (syncNanos >= 0 && lateCountsFrom > 0)) && blocksPublished > 0;
  }

  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("== devnet summary ==\n");
    sb.append(String.format(Locale.ROOT, "%d nodes over %s, %d slots, %d blocks of %d bytes published%n", nodes,
        transport, slots, blocksPublished, blockBytes));
    if (lateNode) {
      sb.append(lateCountsFrom > 0
          ? String.format(Locale.ROOT, "late node: started in slot %d, joined (connected, subscriptions known both ways) "
              + "before the publishes of slot %d; counted from then on, like every other node%n", lateStartedSlot,
              lateCountsFrom)
          : String.format(Locale.ROOT, "late node: started in slot %d, NEVER joined (its subscriptions were not known "
              + "both ways)%n", lateStartedSlot));
    }
    if (missing.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "every node got every block published while it was in the network: YES "
          + "(%d deliveries)%n", expectedArrivals));
    } else {
      sb.append(String.format(Locale.ROOT, "every node got every block published while it was in the network: NO, "
          + "%d of %d deliveries missing: %s%n", missing.size(), expectedArrivals, missingText()));
    }
    if (attestationsMissing.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "every node got every attestation published while it was in the network: "
          + "YES (%d of %d)%n", attestationsReceived, attestationsExpected));
    } else {
      sb.append(String.format(Locale.ROOT, "every node got every attestation published while it was in the network: "
          + "NO, %d of %d received, missing: %s%n", attestationsReceived, attestationsExpected,
          attestationsMissingText()));
    }
    sb.append(String.format(Locale.ROOT, "block propagation (publish -> node): p50 %s ms, p99 %s ms, max %s ms (%d deliveries)%n",
        Percentiles.ms(arrival.p50()), Percentiles.ms(arrival.p99()), Percentiles.ms(arrival.max()), arrival.count()));
    sb.append(String.format(Locale.ROOT, "block propagation (publish -> all nodes): p50 %s ms, p99 %s ms, max %s ms (%d blocks)%n",
        Percentiles.ms(full.p50()), Percentiles.ms(full.p99()), Percentiles.ms(full.max()), full.count()));
    if (lateNode) {
      sb.append(syncNanos >= 0
          ? String.format(Locale.ROOT, "late node sync: %d blocks in %s ms%s%n", syncedBlocks, Percentiles.ms(syncNanos),
              syncProblems.isEmpty() ? ", parent roots verified" : "")
          : String.format(Locale.ROOT, "late node sync: NOT finished (%d blocks)%n", syncedBlocks));
      for (String p : syncProblems) {
        sb.append("  sync problem: ").append(p).append('\n');
      }
    }
    sb.append(String.format(Locale.ROOT, "req/resp: %d requests, %d failed; drops: %d%n", requests, requestFailures,
        drops));
    sb.append(ok() ? "RESULT: OK\n" : "RESULT: PROBLEMS (see above)\n");
    return sb.toString();
  }

  private String missingText() {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (PropagationTracker.Missing m : missing) {
      if (shown++ == 10) {
        sb.append(" ...");
        break;
      }
      sb.append(shown > 1 ? ", " : "").append("slot ").append(m.slot()).append(" at n").append(m.node());
    }
    return sb.toString();
  }

  private String attestationsMissingText() {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (AttestationTracker.Missing m : attestationsMissing) {
      if (shown++ == 10) {
        sb.append(" ...");
        break;
      }
      sb.append(shown > 1 ? ", " : "").append("slot ").append(m.slot()).append(" of n").append(m.validator())
          .append(" at n").append(m.node());
    }
    return sb.toString();
  }

  /** The summary as a JSON-ready map (durations in milliseconds). */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", ok());
    m.put("nodes", nodes);
    m.put("transport", transport);
    m.put("slots", slots);
    m.put("blockBytes", blockBytes);
    m.put("blocksPublished", blocksPublished);
    m.put("expectedDeliveries", expectedArrivals);
    m.put("everyNodeGotEveryBlock", missing.isEmpty());
    m.put("missing", missing.stream().map(x -> Map.of("slot", x.slot(), "node", x.node())).toList());
    m.put("propagationMs", percentiles(arrival));
    m.put("fullPropagationMs", percentiles(full));
    Map<String, Object> sync = new LinkedHashMap<>();
    sync.put("lateNode", lateNode);
    sync.put("startedSlot", lateNode ? lateStartedSlot : null);
    sync.put("countedFromSlot", lateNode && lateCountsFrom > 0 ? lateCountsFrom : null);
    sync.put("blocks", syncedBlocks);
    sync.put("ms", syncNanos >= 0 ? syncNanos / 1e6 : null);
    sync.put("problems", syncProblems);
    m.put("sync", sync);
    m.put("attestationsExpected", attestationsExpected);
    m.put("attestationsReceived", attestationsReceived);
    m.put("everyNodeGotEveryAttestation", attestationsMissing.isEmpty());
    m.put("attestationsMissing", attestationsMissing.stream()
        .map(x -> Map.of("slot", x.slot(), "validator", x.validator(), "node", x.node())).toList());
    m.put("requests", requests);
    m.put("requestFailures", requestFailures);
    m.put("drops", drops);
    return m;
  }

  private static Map<String, Object> percentiles(Percentiles p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", p.count());
    m.put("p50", p.isEmpty() ? null : p.p50() / 1e6);
    m.put("p99", p.isEmpty() ? null : p.p99() / 1e6);
    m.put("max", p.isEmpty() ? null : p.max() / 1e6);
    return m;
  }
}
