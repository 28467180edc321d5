package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.node.swarm.SwarmConfig;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.testing.MemoryTransport;
import io.leanp2p.testing.SwarmNode;
import io.leanp2p.testing.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The identify and ping services against a fake swarm (in-memory connections, virtual time). */
class IdentifyAndPingServiceTest {
  private final VirtualScheduler sched = new VirtualScheduler();
  private final MemoryTransport.Net net = new MemoryTransport.Net(sched);

  final class Node {
    final SwarmNode swarm;
    final RecordingPort port = new RecordingPort();
    final PingService ping;

    Node(SwarmConfig cfg) {
      swarm = new SwarmNode(net, sched, cfg);
      Identify identify = new Identify(swarm.key, List::of, swarm.swarm.protocols(), sched, 5_000);
      swarm.swarm.addService(new IdentifyService(identify, swarm.swarm.peers()));
      ping = new PingService(new Ping(sched, new Random(1), 5_000), sched, swarm.swarm.peers(), port);
      swarm.swarm.addService(ping);
      swarm.listen();
    }

    Node() {
      this(SwarmConfig.defaults().withDuplicateGrace(Duration.ofMillis(200)));
    }
  }

  @Test
  void identifyTellsThePeerTableWhoThePeerIsWhichNamesItsLeanMetricsClient() {
    Node b = new Node();
    Node a = new Node(SwarmConfig.defaults().withPeerNames(Map.of()));
    a.swarm.dial(b.swarm);
    assertThat(a.swarm.swarm.peers().clientOf(b.swarm.id)).isEqualTo("unknown"); // not even connected yet
    sched.advanceMillis(50);
    assertThat(a.swarm.swarm.peers().peer(b.swarm.id).orElseThrow().agentVersion()).startsWith("lean-p2p/");
    assertThat(a.swarm.swarm.peers().clientOf(b.swarm.id)).isEqualTo("lean-p2p");
    assertThat(b.swarm.swarm.peers().clientOf(a.swarm.id)).isEqualTo("lean-p2p");
    // a configured name (a devnet's node name) wins
    Node c = new Node(SwarmConfig.defaults().withPeerNames(Map.of(b.swarm.id, "zeam_0")));
    c.swarm.dial(b.swarm);
    sched.advanceMillis(50);
    assertThat(c.swarm.swarm.peers().clientOf(b.swarm.id)).isEqualTo("zeam_0");
  }

  @Test
  void identifyCompletesOnTheSurvivorAfterSimultaneousDials() {
    for (int i = 0; i < 10; i++) {
      Node a = new Node();
      Node b = new Node();
      a.swarm.dial(b.swarm);
      b.swarm.dial(a.swarm);
      sched.advanceMillis(1_000);
      assertThat(a.swarm.swarm.peers().clientOf(b.swarm.id)).isEqualTo("lean-p2p");
      assertThat(b.swarm.swarm.peers().clientOf(a.swarm.id)).isEqualTo("lean-p2p");
    }
  }

  @Test
  void aHostPingIsAnsweredWithOneResultOnTheLiveConnection() {
    Node a = new Node();
    Node b = new Node();
    a.ping.ping(b.swarm.id);
    assertThat(a.port.peer(NetworkEvent.PingResult.class)).singleElement()
        .satisfies(r -> assertThat(r.error()).contains("not connected"));
    a.swarm.dial(b.swarm);
    b.swarm.dial(a.swarm);
    sched.advanceMillis(1_000); // the duplicate rule settled, the loser is gone
    a.ping.ping(b.swarm.id);
    sched.advanceMillis(50);
    List<NetworkEvent.PingResult> results = a.port.peer(NetworkEvent.PingResult.class);
    assertThat(results).hasSize(2);
    assertThat(results.get(1).ok()).isTrue();
    assertThat(results.get(1).rttNanos()).isPositive();
  }

  @Test
  void aPingWhoseConnectionClosesWhileThePeerStaysConnectedIsSentOnceMoreOnTheLiveOne() {
    Node a = new Node();
    Node b = new Node();
    a.swarm.dial(b.swarm);
    b.swarm.dial(a.swarm);
    sched.advanceMillis(10); // both connections up, the loser still draining
    io.leanp2p.transport.Connection used = a.swarm.swarm.peers().connection(b.swarm.id).orElseThrow();
    a.ping.ping(b.swarm.id);
    used.close("test: the remote closed it as its duplicate");
    sched.advanceMillis(50);
    assertThat(a.swarm.swarm.peers().isConnected(b.swarm.id)).isTrue();
    assertThat(a.port.peer(NetworkEvent.PingResult.class)).singleElement()
        .satisfies(r -> assertThat(r.ok()).as(String.valueOf(r.error())).isTrue());
  }
}
