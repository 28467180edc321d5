package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.testing.VirtualScheduler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerManagerTest {
  private final VirtualScheduler sched = new VirtualScheduler();
  private final List<String> log = new ArrayList<>();
  private final List<Long> dialTimesMs = new ArrayList<>();

  private PeerManager<String, String, String> manager(ReconnectPolicy policy) {
    return new PeerManager<>(policy, sched, new PeerManager.Actions<>() {
      @Override
      public void dial(String peer, String address, int attempt) {
        log.add("dial " + peer + " #" + attempt);
        dialTimesMs.add(sched.millis());
      }

      @Override
      public void dialFailed(String peer, String address, int attempt, boolean willRetry, String reason) {
        log.add("failed " + peer + " #" + attempt + (willRetry ? " retry" : " final"));
      }

      @Override
      public void gaveUp(String peer, String address, int attempts) {
        log.add("gave-up " + peer + " after " + attempts);
      }
    });
  }

  @Test
  void firstDialIsCoveredAndRetriesFollowTheSeedScheduleThenGiveUp() {
    PeerManager<String, String, String> pm = manager(ReconnectPolicy.leanDefaults());
    pm.addStatic("A", "/ip4/127.0.0.1/tcp/1", false);
    for (int i = 0; i < 6; i++) {
      int dialsBefore = dialTimesMs.size();
      pm.dialFailed("A", "refused"); // each dial fails at once
      for (int t = 0; t < 200_000 && dialTimesMs.size() == dialsBefore && pm.isStatic("A"); t += 1_000) {
        sched.advanceMillis(1_000);
      }
    }
    assertThat(dialTimesMs).containsExactly(0L, 5_000L, 15_000L, 35_000L, 75_000L, 155_000L);
    // every failure says which attempt it was and whether another follows; the last says no
    assertThat(log).filteredOn(s -> s.startsWith("failed")).containsExactly(
        "failed A #1 retry", "failed A #2 retry", "failed A #3 retry", "failed A #4 retry", "failed A #5 retry",
        "failed A #6 final");
    assertThat(log).endsWith("failed A #6 final", "gave-up A after 6");
    assertThat(pm.isStatic("A")).isFalse();
  }

  @Test
  void lostConnectionIsRedialedAndSuccessResetsTheCount() {
    PeerManager<String, String, String> pm = manager(ReconnectPolicy.leanDefaults());
    pm.addStatic("B", "addr", false);
    pm.dialFailed("B", "refused");
    sched.advanceMillis(5_000);
    pm.connected("B");
    pm.disconnected("B");
    sched.advanceMillis(4_999);
    assertThat(log).filteredOn(s -> s.startsWith("dial")).hasSize(2);
    sched.advanceMillis(1);
    assertThat(log).filteredOn(s -> s.startsWith("dial")).hasSize(3);
    assertThat(log.get(log.size() - 1)).as("the first dial since the peer was lost").isEqualTo("dial B #1");
  }

  @Test
  void aFailedDialOfAPeerConnectedMeanwhileIsFinalAndAKnownIdlePeerIsDialedAtOnce() {
    PeerManager<String, String, String> pm = manager(ReconnectPolicy.leanDefaults());
    pm.addStatic("D", "addr", false);
    pm.connected("D"); // an inbound connection won the race
    pm.dialFailed("D", "duplicate");
    assertThat(log).containsExactly("dial D #1", "failed D #1 final");
    pm.disconnected("D");
    assertThat(sched.pending()).isEqualTo(1); // the redial waits for its backoff ...
    pm.addStatic("D", "addr", false); // ... unless the host asks again: then at once
    assertThat(log).endsWith("dial D #1");
    assertThat(log).filteredOn(s -> s.startsWith("dial")).hasSize(2);
  }

  @Test
  void closeCancelsTimers() {
    PeerManager<String, String, String> pm = manager(ReconnectPolicy.leanDefaults());
    pm.addStatic("C", "addr", false);
    pm.dialFailed("C", "refused");
    pm.close();
    sched.advanceMillis(1_000_000);
    assertThat(log).filteredOn(s -> s.startsWith("dial")).hasSize(1);
  }
}
