package io.leanp2p.node;

import io.leanp2p.node.metrics.MetricsSnapshot;
import java.lang.reflect.RecordComponent;
import java.util.Map;

/** Turns a counters record into samples: each {@code long} a counter, each {@code int} a gauge (snake_case names). */
final class MetricsCounters {
  private MetricsCounters() {}

  static void record(MetricsSnapshot.Builder b, String prefix, String help, Record counters) {
    for (RecordComponent rc : counters.getClass().getRecordComponents()) {
      if (rc.getType() != long.class && rc.getType() != int.class) {
        continue;
      }
      try {
        Number v = (Number) rc.getAccessor().invoke(counters);
        String snake = rc.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
        if (rc.getType() == long.class) {
          b.counter(prefix + snake + "_total", help, Map.of(), v.longValue());
        } else {
          b.gauge(prefix + snake, help, Map.of(), v.doubleValue());
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
