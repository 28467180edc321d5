package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.node.EventDispatcher.EventClass;
import io.leanp2p.node.swarm.SwarmConfig;
import io.leanp2p.config.GossipConfig;
import io.leanp2p.types.Validation;
import io.leanp2p.testing.MemoryStreams;
import io.leanp2p.testing.MemoryTransport;
import io.leanp2p.testing.SwarmNode;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.types.Direction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The gossip service against a fake swarm (in-memory connections, virtual time) and a recording port. */
class GossipServiceTest {
  static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  private final VirtualScheduler sched = new VirtualScheduler();
  private final MemoryTransport.Net net = new MemoryTransport.Net(sched);
  private static final SwarmConfig CFG = SwarmConfig.defaults().withDuplicateGrace(Duration.ofMillis(200));

  /** One node: a swarm with only the gossip service. */
  final class Node {
    final SwarmNode swarm = new SwarmNode(net, sched, CFG);
    final RecordingPort port = new RecordingPort();
    final GossipService gossip;

    Node(long seed) {
      gossip = new GossipService(GossipConfig.DEFAULT, sched, new Random(seed), swarm.swarm.peers(), port,
          Duration.ofSeconds(1), true);
      swarm.swarm.addService(gossip);
      swarm.listen();
      gossip.start();
      gossip.subscribe(TOPIC);
    }

    void publish(String text) {
      gossip.publish(new Command.Publish(TOPIC, text.getBytes(StandardCharsets.UTF_8), false, null));
    }

    List<String> received() {
      return port.gossip.stream().map(m -> new String(m.data(), StandardCharsets.UTF_8)).toList();
    }

    MemoryStreams.MemoryConnection live(Node other) {
      return (MemoryStreams.MemoryConnection) swarm.swarm.peers().connection(other.swarm.id).orElseThrow();
    }
  }

  @Test
  void subscriptionsMeshChangesAndMessagesReachTheHostThroughThePort() {
    Node a = new Node(1);
    Node b = new Node(2);
    a.swarm.dial(b.swarm);
    sched.advanceMillis(2_000);
    for (Node n : List.of(a, b)) {
      assertThat(n.port.peer(NetworkEvent.PeerSubscription.class)).extracting(NetworkEvent.PeerSubscription::topic)
          .containsExactly(TOPIC);
      assertThat(n.port.peer(NetworkEvent.MeshChange.class)).anyMatch(NetworkEvent.MeshChange::grafted);
      assertThat(n.gossip.snapshot().mesh(TOPIC)).hasSize(1);
    }
    a.publish("block 1");
    sched.advanceMillis(100);
    assertThat(b.received()).containsExactly("block 1");
    assertThat(b.port.gossip.get(0).from()).isEqualTo(a.swarm.id);
    assertThat(a.port.response(NetworkEvent.PublishCompleted.class)).singleElement()
        .satisfies(p -> assertThat(p.recipients()).containsExactly(b.swarm.id));
    b.gossip.reportValidation(b.port.gossip.get(0).messageId(), Validation.ACCEPT);
    b.publish("block 2");
    sched.advanceMillis(100);
    assertThat(a.received()).containsExactly("block 2");
  }

  @Test
  void afterTheDuplicateRuleSwapsAConnectionGossipFlowsOnTheSurvivor() {
    for (int round = 0; round < 10; round++) {
      Node a = new Node(10 + round);
      Node b = new Node(20 + round);
      a.swarm.dial(b.swarm);
      b.swarm.dial(a.swarm); // at the same time
      sched.advanceMillis(1_000); // the loser drained and closed
      assertThat(a.swarm.swarm.peers().connections()).hasSize(1);
      a.publish("from a " + round);
      b.publish("from b " + round);
      sched.advanceMillis(100);
      assertThat(b.received()).containsExactly("from a " + round);
      assertThat(a.received()).containsExactly("from b " + round);
      // both directions' gossip streams live on the survivor
      for (Node n : List.of(a, b)) {
        Node other = n == a ? b : a;
        List<MemoryStreams.End> streams = n.live(other).streams();
        assertThat(streams).filteredOn(s -> s.direction() == Direction.OUTBOUND).hasSize(1);
        assertThat(streams).filteredOn(s -> s.direction() == Direction.INBOUND).hasSize(1);
      }
    }
  }

  @Test
  void aHostThatFallsBehindPausesGossipReadsThenShedsAfterTheMaxPauseUntilItDrains() {
    Node a = new Node(3);
    Node b = new Node(4);
    a.swarm.dial(b.swarm);
    sched.advanceMillis(2_000);
    b.port.backlogged.add(EventClass.GOSSIP);
    a.publish("m1");
    sched.advanceMillis(50);
    assertThat(b.received()).containsExactly("m1");
    assertThat(b.port.paused).containsExactly(EventClass.GOSSIP);
    MemoryStreams.End inbound = b.live(a).streams().stream()
        .filter(s -> s.direction() == Direction.INBOUND).findFirst().orElseThrow();
    assertThat(inbound.isReadPaused()).as("reading stops: the remote is flow-controlled").isTrue();
    a.publish("m2");
    sched.advanceMillis(50);
    assertThat(b.received()).containsExactly("m1");
    // after gossipMaxPause (1 s) reading resumes (control messages ride on the stream) ...
    b.port.full.add(EventClass.GOSSIP);
    sched.advanceMillis(1_000);
    assertThat(inbound.isReadPaused()).isFalse();
    // ... and what the host has no room for is not handed over (IGNOREd by the router)
    assertThat(b.received()).containsExactly("m1");
    // once the host drained, messages flow again
    b.port.full.clear();
    b.port.backlogged.clear();
    b.gossip.resume();
    a.publish("m3");
    sched.advanceMillis(50);
    assertThat(b.received()).containsExactly("m1", "m3");
  }

  @Test
  void aPeerThatGoesAwayLeavesNoGossipStateBehind() {
    Node a = new Node(5);
    Node b = new Node(6);
    a.swarm.dial(b.swarm);
    sched.advanceMillis(2_000);
    a.swarm.swarm.disconnect(b.swarm.id, "test");
    sched.advanceMillis(100);
    assertThat(a.gossip.snapshot().mesh(TOPIC)).isEmpty();
    assertThat(a.gossip.snapshot().peerTopics()).isEmpty();
    assertThat(a.port.peer(NetworkEvent.MeshChange.class)).anyMatch(m -> !m.grafted());
    // a new connection starts over cleanly
    a.swarm.dial(b.swarm);
    sched.advanceMillis(2_000);
    a.publish("again");
    sched.advanceMillis(100);
    assertThat(b.received()).containsExactly("again");
  }
}
