package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.node.swarm.Service;
import io.leanp2p.node.swarm.SwarmConfig;
import io.leanp2p.testing.MemoryTransport;
import io.leanp2p.testing.SwarmNode;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The peer policy wired into a real swarm (the node's {@link PeerLifecycle} as its admission and
 * listener) over in-memory connections under virtual time: each rule as the swarm applies it.
 */
class PeerPolicySwarmTest {
  private static final String GOSSIP = "/meshsub/1.2.0";
  private static final String IDENTIFY = "/ipfs/id/1.0.0";
  private static final int MAX_PEERS = 4; // 3 inbound (3/4), the 4th slot for our dials

  private final VirtualScheduler sched = new VirtualScheduler();
  private final MemoryTransport.Net net = new MemoryTransport.Net(sched);
  private final Map<PeerId, Double> scores = new HashMap<>();
  private final RecordingPort port = new RecordingPort();
  private SwarmNode victim;
  private PeerLifecycle peers;

  /** A service that takes streams of a protocol and drops what arrives. */
  private static Service sink(String protocol) {
    return new Service() {
      @Override
      public List<String> protocols() {
        return List.of(protocol);
      }

      @Override
      public void onInboundStream(String p, MuxedStream stream, ByteBuf leftover) {
        leftover.release();
        stream.handler(new StreamHandler() {
          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            data.release();
          }
        });
      }
    };
  }

  private void start(PeerPolicyConfig cfg) {
    victim = new SwarmNode(net, sched, SwarmConfig.defaults());
    victim.swarm.addService(sink(GOSSIP));
    victim.swarm.addService(sink(IDENTIFY));
    peers = new PeerLifecycle(victim.swarm, port, sched, ReconnectPolicy.leanDefaults(), MAX_PEERS,
        Duration.ofSeconds(10), cfg, p -> scores.getOrDefault(p, 0.0), -80, List.of(GOSSIP));
    victim.swarm.setListener(peers);
    victim.swarm.setAdmission(peers);
    victim.listen();
  }

  private static PeerPolicyConfig defaults() {
    return PeerPolicyConfig.defaults();
  }

  /** A fresh identity that dials the victim (and listens, so that the victim can dial it). */
  private SwarmNode arrive() {
    SwarmNode n = new SwarmNode(net, sched, SwarmConfig.defaults());
    n.swarm.addService(sink(GOSSIP));
    n.listen();
    n.dial(victim);
    sched.advanceMillis(10);
    return n;
  }

  /** Opens a stream of {@code protocol} to the victim and sends one byte on it. */
  private void send(SwarmNode from, String protocol) {
    from.swarm.peers().openStream(victim.id, List.of(protocol), new StreamNegotiator.SelectCallback() {
      @Override
      public void selected(MuxedStream s, String p, ByteBuf leftover) {
        leftover.release();
        s.write(Unpooled.wrappedBuffer(new byte[] {0}));
      }

      @Override
      public void failed(MuxedStream s, String reason) {}
    });
    sched.advanceMillis(10);
  }

  private boolean connected(SwarmNode n) {
    return victim.swarm.peers().isConnected(n.id);
  }

  private double metric(String name, String reason) {
    MetricsSnapshot.Builder b = new MetricsSnapshot.Builder();
    peers.metrics(b);
    return b.build().value(name, Map.of("reason", reason));
  }

  @Test
  void inboundPeersTakeTheirBudgetOurDialsAndStaticPeersAlwaysFindRoom() {
    start(defaults());
    SwarmNode[] in = {arrive(), arrive(), arrive()};
    for (SwarmNode n : in) {
      send(n, GOSSIP);
      assertThat(connected(n)).isTrue();
    }
    // the inbound budget (3) is used up by peers that all speak: a 4th inbound peer is refused
    SwarmNode fourth = arrive();
    assertThat(connected(fourth)).isFalse();
    assertThat(victim.swarm.peers().size()).isEqualTo(3);
    assertThat(metric("leanp2p_peers_refused_total", "full")).isEqualTo(1);
    // our dial takes the 4th slot
    SwarmNode dialed = new SwarmNode(net, sched, SwarmConfig.defaults());
    dialed.listen();
    victim.dial(dialed);
    sched.advanceMillis(10);
    assertThat(connected(dialed)).isTrue();
    // the table is full: our next dial takes an inbound peer's place
    SwarmNode dialed2 = new SwarmNode(net, sched, SwarmConfig.defaults());
    dialed2.listen();
    victim.dial(dialed2);
    sched.advanceMillis(10);
    assertThat(connected(dialed2)).isTrue();
    assertThat(victim.swarm.peers().size()).isEqualTo(MAX_PEERS);
    assertThat(metric("leanp2p_peers_evicted_total", "for_outbound_or_static")).isEqualTo(1);
    // a static peer (a persistent dial) also gets in, and stays in
    SwarmNode stat = new SwarmNode(net, sched, SwarmConfig.defaults());
    stat.listen();
    peers.dial(stat.addr(), stat.id, true);
    sched.advanceMillis(10);
    assertThat(connected(stat)).isTrue();
    assertThat(connected(dialed)).isTrue();
    assertThat(connected(dialed2)).isTrue();
    assertThat(victim.swarm.peers().size()).isEqualTo(MAX_PEERS);
    // and it is never silenced out: a minute later, without a word, it is still there
    sched.advance(Duration.ofSeconds(61).toNanos());
    peers.tick();
    sched.advanceMillis(10);
    assertThat(connected(stat)).isTrue();
  }

  @Test
  void aNewcomerReplacesTheLongestSilentInboundPeerNeverOneThatSpoke() {
    start(defaults());
    SwarmNode s1 = arrive();
    SwarmNode s2 = arrive();
    SwarmNode s3 = arrive();
    // identify and ping do not count as taking part
    send(s1, IDENTIFY);
    SwarmNode honest = arrive();
    assertThat(connected(honest)).isTrue();
    assertThat(connected(s1)).as("the longest silent one made room").isFalse();
    send(honest, GOSSIP);
    // sybils keep coming: each takes a silent sybil's place, never the honest peer's
    for (int i = 0; i < 20; i++) {
      SwarmNode sybil = arrive();
      assertThat(connected(sybil)).isTrue();
      assertThat(connected(honest)).isTrue();
      assertThat(victim.swarm.peers().size()).isEqualTo(3);
    }
    assertThat(connected(s2)).isFalse();
    assertThat(connected(s3)).isFalse();
    assertThat(metric("leanp2p_peers_evicted_total", "silent_for_newcomer")).isEqualTo(21);
  }

  @Test
  void whenEveryoneSpokeANewcomerReplacesANegativeScoreOnly() {
    start(defaults());
    SwarmNode a = arrive();
    SwarmNode b = arrive();
    SwarmNode c = arrive();
    for (SwarmNode n : List.of(a, b, c)) {
      send(n, GOSSIP);
    }
    scores.put(b.id, -5.0);
    scores.put(a.id, 3.0);
    SwarmNode newcomer = arrive();
    assertThat(connected(newcomer)).isTrue();
    assertThat(connected(b)).isFalse();
    assertThat(connected(a)).isTrue();
    assertThat(connected(c)).isTrue();
    assertThat(metric("leanp2p_peers_evicted_total", "low_score_for_newcomer")).isEqualTo(1);
  }

  @Test
  void aPeerSilentPastTheGraceIsDisconnected() {
    start(defaults().withSilentGrace(Duration.ofSeconds(30)));
    SwarmNode talker = arrive();
    SwarmNode mute = arrive();
    send(talker, GOSSIP);
    sched.advance(Duration.ofSeconds(29).toNanos());
    peers.tick();
    sched.advanceMillis(10);
    assertThat(connected(mute)).as("within the grace").isTrue();
    sched.advance(Duration.ofSeconds(2).toNanos());
    peers.tick();
    sched.advanceMillis(10);
    assertThat(connected(mute)).isFalse();
    assertThat(connected(talker)).isTrue();
    assertThat(metric("leanp2p_peers_evicted_total", "silent")).isEqualTo(1);
  }

  @Test
  void aGraylistedPeerIsDisconnectedAndKeptOutForTheBackoff() {
    start(defaults().withGraylistBackoff(Duration.ofMinutes(10)));
    SwarmNode bad = arrive();
    send(bad, GOSSIP);
    scores.put(bad.id, -100.0);
    peers.tick();
    sched.advanceMillis(10);
    assertThat(connected(bad)).isFalse();
    assertThat(metric("leanp2p_peers_evicted_total", "score_graylisted")).isEqualTo(1);
    // it comes back at once (its score has decayed, say): refused, also when we dial it
    scores.remove(bad.id);
    bad.dial(victim);
    sched.advanceMillis(10);
    assertThat(connected(bad)).isFalse();
    victim.dial(bad);
    sched.advanceMillis(10);
    assertThat(connected(bad)).isFalse();
    assertThat(metric("leanp2p_peers_refused_total", "graylisted")).isEqualTo(2);
    // after the backoff it is welcome again
    sched.advance(Duration.ofMinutes(10).toNanos());
    bad.dial(victim);
    sched.advanceMillis(10);
    assertThat(connected(bad)).isTrue();
  }
}
