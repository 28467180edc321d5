package io.leanp2p.cli.devnet;

import io.leanp2p.node.metrics.MetricsSnapshot;

/**
 * The two numbers the table shows from a network's metrics, found by naming convention so that the
 * table keeps working as metrics are added: queue depth = the sum of gauges whose name mentions a
 * queue or lane depth (not a capacity or limit); drops = the sum of counters whose name says dropped / shed / refused.
 */
record MetricsNumbers(long queueDepth, long drops) {
  static MetricsNumbers of(MetricsSnapshot m) {
    double depth = 0;
    double drops = 0;
    for (MetricsSnapshot.Sample s : m.samples()) {
      String n = s.name();
      if (s.type() == MetricsSnapshot.Type.GAUGE && !n.contains("capacity") && !n.contains("limit")
          && (n.contains("queue") || n.contains("lane") || n.contains("depth"))) {
        depth += s.value();
      } else if (s.type() == MetricsSnapshot.Type.COUNTER && isDrop(n)) {
        drops += s.value();
      }
    }
    return new MetricsNumbers((long) depth, (long) drops);
  }

  /** A counter of losses: a name token (split at '_') is drop(s/ped), shed or refused. */
  static boolean isDrop(String name) {
    for (String t : name.split("_")) {
      if (t.equals("drop") || t.equals("drops") || t.equals("dropped") || t.equals("shed") || t.equals("refused")) {
        return true;
      }
    }
    return false;
  }
}
