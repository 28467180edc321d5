package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.RpcFrames;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.PeerPolicyConfig;
import io.leanp2p.types.TransportKind;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that authenticate and then never take part (no gossipsub, no req/resp: a slot held for
 * nothing) are disconnected once the silent grace is over, while a peer that gossips stays. The
 * victim runs with a 2 s grace (30 s by default) to keep the test short.
 */
@Timeout(120)
class SilentPeerAttackTest extends AttackSuite {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  UnaryOperator<NetworkConfig.Builder> victimConfig() {
    return b -> super.victimConfig().apply(b)
        .peerPolicy(PeerPolicyConfig.defaults().withSilentGrace(Duration.ofSeconds(2)));
  }

  @Override
  String victimName() {
    return "silent";
  }

  @Test
  void silentPeersAreDisconnectedAfterTheGraceAPeerThatGossipsStays() throws Exception {
    int n = Attack.size(10, 60);
    Map<String, String> silent = Map.of("reason", "silent");
    double before = victim.metric("leanp2p_peers_evicted_total", silent);
    try (StreamAttacker talker = StreamAttacker.over(TransportKind.TCP, true).connect(victim, TransportKind.TCP)) {
      talker.write(talker.open("/meshsub/1.2.0"),
          RpcFrames.encode(Rpc.ofSubscriptions(List.of(new SubOpts(true, Victim.TOPIC)))), false);
      List<RawTcp> mutes = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          RawTcp tcp = RawTcp.connect(victim.tcp, Attack.ip(i % 50));
          mutes.add(tcp);
          RawYamux.open(RawNoise.handshake(tcp, Secp256k1PrivateKey.generate(RANDOM), RANDOM)); // then silence
        }
        for (RawTcp m : mutes) {
          assertThat(m.awaitClosedByRemote(Duration.ofSeconds(20))).as("a silent peer is closed").isTrue();
        }
      } finally {
        mutes.forEach(RawTcp::close);
      }
      assertThat(victim.awaitMetric("leanp2p_peers_evicted_total", silent, before + n, Duration.ofSeconds(5)))
          .as("silent peers disconnected; victim: %s", victim.diagnostics())
          .isGreaterThanOrEqualTo(before + n);
      assertThat(talker.connection().isOpen()).as("the peer that gossips, well past the grace").isTrue();
      victim.assertServesHonestPeers();
    }
  }
}
