package io.leanp2p.protocol.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.types.Direction;
import java.util.Random;
import org.junit.jupiter.api.Test;
import io.leanp2p.config.GossipConfig;

/** P6 (IP colocation) penalises many peers behind one address, except loopback (local devnets). */
class IpColocationTest {
  @Test
  void colocatedPeersArePenalisedButLoopbackPeersAreNot() {
    GossipRouter r = new GossipRouter(GossipConfig.DEFAULT, new VirtualScheduler(), new Random(1), new GossipOutput() {
      @Override
      public void send(PeerId to, Rpc rpc) {}

      @Override
      public void deliver(GossipMessage message) {}
    });
    for (int i = 0; i < 8; i++) {
      r.addPeer(GossipRouterTestAccess.peer("lo" + i), "/meshsub/1.2.0", Direction.INBOUND, "127.0.0.1");
      r.addPeer(GossipRouterTestAccess.peer("co" + i), "/meshsub/1.2.0", Direction.INBOUND, "10.9.9.9");
    }
    for (int i = 0; i < 8; i++) {
      assertThat(r.score(GossipRouterTestAccess.peer("lo" + i))).isGreaterThanOrEqualTo(0.0);
      // 8 peers on one address, 3 tolerated: (8 - 3)^2 x -35.11
      assertThat(r.score(GossipRouterTestAccess.peer("co" + i))).isCloseTo(-877.75, org.assertj.core.data.Offset.offset(0.01));
    }
  }
}
