package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.types.TransportKind;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection churn: many short connections (complete handshakes under fresh identities, then a
 * reset; bare connects; QUIC handshakes) must leave no file descriptors, pending slots, peers or
 * heap behind.
 */
@Timeout(240)
class ChurnAttackTest extends AttackSuite {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  String victimName() {
    return "churn";
  }

  @Test
  void churnLeavesNoDescriptorsPeersOrHeapBehind() throws Exception {
    Assumptions.assumeTrue(Resources.canCountFds(), "no /proc/self/fd: file descriptors cannot be counted here");
    victim.assertServesHonestPeers(); // warm: classes loaded, pools filled
    long fdsBefore = Resources.openFds();
    long heapBefore = Resources.liveHeap();
    int n = Attack.size(100, 3000);
    MultiThreadIoEventLoopGroup quicLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      for (int i = 0; i < n; i++) {
        int ip = i % 250;
        switch (i % 4) {
          case 0, 1 -> { // a whole TCP handshake under a fresh identity, then a reset
            try (RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(ip))) {
              RawYamux.open(RawNoise.handshake(t, Secp256k1PrivateKey.generate(RANDOM), RANDOM));
              t.reset();
            } catch (java.io.IOException refusedOrCut) {
              // over the IP's rate: refused at accept, also churn
            }
          }
          case 2 -> { // connect, nothing, FIN
            try (RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(ip))) {
              t.tryWrite(new byte[] {0x13});
            }
          }
          default -> { // a QUIC handshake, then close
            try (RawQuic q = RawQuic.bind(quicLoop.next(), Attack.ip(ip), Secp256k1PrivateKey.generate(RANDOM), RANDOM)) {
              q.connect(victim.quic);
            } catch (Exception refused) {
              // refused at the victim's limits
            }
          }
        }
      }
    } finally {
      quicLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    victim.assertServesHonestPeers();
    // everything the churn opened is gone again
    long fdsAfter = Resources.settlesAtMost(Resources::openFds, fdsBefore + 16, Duration.ofSeconds(30));
    assertThat(fdsAfter).as("open file descriptors after %d connections (before: %d)", n, fdsBefore)
        .isLessThanOrEqualTo(fdsBefore + 16);
    assertThat(Resources.settlesAtMost(() -> (long) victim.peerCount(), 0, Duration.ofSeconds(30)))
        .as("peers left").isZero();
    assertThat(Resources.settlesAtMost(
            () -> (long) victim.metric("leanp2p_admission_pending", Map.of()), 0, Duration.ofSeconds(30)))
        .as("pending connections left").isZero();
    long heapAfter = Resources.liveHeap();
    assertThat(heapAfter - heapBefore).as("live heap growth after %d connections", n).isLessThan(48L << 20);
  }
}
