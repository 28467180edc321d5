package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.node.metrics.MetricsSnapshot;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsNumbersTest {
  @Test
  void sumsQueueGaugesAndDropCounters() {
    MetricsSnapshot m = new MetricsSnapshot.Builder()
        .gauge("leanp2p_event_queue_depth", "", Map.of("class", "gossip"), 3)
        .gauge("leanp2p_command_lane_depth", "", Map.of("lane", "bulk"), 4)
        .gauge("leanp2p_peers", "", Map.of(), 7)
        .gauge("leanp2p_command_queue_capacity", "", Map.of(), 8192)
        .counter("leanp2p_gossip_dropped_total", "", Map.of("reason", "x"), 2)
        .counter("leanp2p_events_shed_total", "", Map.of(), 5)
        .counter("leanp2p_gossip_received_total", "", Map.of(), 100)
        .counter("leanp2p_gossipsub_messages_published_total", "", Map.of(), 40) // "publiSHED" is not a drop
        .build();
    MetricsNumbers n = MetricsNumbers.of(m);
    assertThat(n.queueDepth()).isEqualTo(7);
    assertThat(n.drops()).isEqualTo(7);
  }
}
