package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.types.TransportKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admission limits end to end (defaults of a public node): connection bursts and pending
 * connections from one address are cut at that address, and when unauthenticated connections
 * from many addresses fill the pending table the oldest make room, so an honest newcomer gets in
 * at once instead of after their timeouts.
 */
@Timeout(120)
class AdmissionAttackTest extends AttackSuite {
  @Override
  String victimName() {
    return "admission";
  }

  private double admission(String counter) {
    return victim.metric("leanp2p_admission_" + counter, Map.of());
  }

  /**
   * The counters refused_rate, admitted and refused_per_ip once their sum reached {@code atLeast}
   * and two snapshots more than a publication apart agree (bounded by {@link Victim#T}).
   */
  private double[] settledAdmission(double atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + Victim.T.toNanos();
    double[] last = null;
    while (true) {
      double[] now = {admission("refused_rate_total"), admission("admitted_total"), admission("refused_per_ip_total")};
      if (last != null && java.util.Arrays.equals(now, last) && now[0] + now[1] + now[2] >= atLeast) {
        return now;
      }
      assertThat(System.nanoTime() < deadline).as("admission counters settle at %s or more", atLeast).isTrue();
      last = now;
      Thread.sleep(1_200); // one metrics publication (1 s) apart, bounded by the deadline
    }
  }

  private double admissionReaches(String counter, double atLeast) throws InterruptedException {
    return victim.awaitMetric("leanp2p_admission_" + counter, Map.of(), atLeast, Victim.T);
  }

  @Test
  void aBurstFromOneAddressIsCutAtItsRate() throws Exception {
    // the metrics are a snapshot published every second: start from a settled one
    double[] before = settledAdmission(0);
    long start = System.nanoTime();
    for (int i = 0; i < 40; i++) { // connect and leave at once: only the rate limits these
      RawTcp.connect(victim.tcp, Attack.ip(200)).close();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // every one of them reached the victim's admission (admitted or refused), and it settled
    double[] after = settledAdmission(before[0] + before[1] + before[2] + 40);
    double refused = after[0] - before[0];
    double admitted = after[1] - before[1]; // the rest: refused by the per-address pending cap
    // 10 at once (the burst) and 5 per second after: on a loaded machine the 40 connects take a
    // while, so the bound follows how long they took (one second of slack for the loop's lag)
    assertThat(admitted).as("connections past the rate limit in %.1f s", seconds)
        .isLessThanOrEqualTo(10 + 5 * (seconds + 1));
    assertThat(refused).as("refused at the rate").isGreaterThanOrEqualTo(1);
    victim.assertServesHonestPeers();
  }

  @Test
  void pendingConnectionsFromOneAddressAreCapped() throws Exception {
    List<RawTcp> held = new ArrayList<>();
    try {
      int open = 0;
      for (int i = 0; i < 10; i++) { // within the address's burst: only the pending cap applies
        RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(201));
        held.add(t);
      }
      for (RawTcp t : held) {
        if (!t.awaitClosedByRemote(Duration.ofMillis(300))) {
          open++;
        }
      }
      assertThat(open).as("pending connections one address may hold").isEqualTo(8);
      assertThat(admissionReaches("refused_per_ip_total", 2)).isGreaterThanOrEqualTo(2);
      victim.assertServesHonestPeers();
    } finally {
      held.forEach(RawTcp::close);
    }
  }

  @Test
  void aFullPendingTableMakesRoomForAnHonestNewcomerAtOnce() throws Exception {
    List<RawTcp> held = new ArrayList<>();
    try {
      for (int i = 0; i < 2 * 64; i++) { // twice the table, 2 per address
        held.add(RawTcp.connect(victim.tcp, Attack.ip(i / 2)));
      }
      assertThat(admissionReaches("evicted_oldest_total", 64)).isGreaterThanOrEqualTo(64);
      victim.assertServesHonestPeer(TransportKind.TCP); // long before the silent ones time out
      victim.assertServesHonestPeer(TransportKind.QUIC);
    } finally {
      held.forEach(RawTcp::close);
    }
  }
}
