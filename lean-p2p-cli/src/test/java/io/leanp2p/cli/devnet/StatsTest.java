package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.peerclient.JsonLines;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void nearestRankPercentiles() {
    long[] v = new long[100];
    for (int i = 0; i < 100; i++) {
      v[i] = (100 - i) * 1_000_000L; // 1..100 ms, reversed
    }
    Percentiles p = Percentiles.of(v);
    assertThat(p.count()).isEqualTo(100);
    assertThat(p.p50()).isEqualTo(50_000_000L);
    assertThat(p.p99()).isEqualTo(99_000_000L);
    assertThat(p.max()).isEqualTo(100_000_000L);
    assertThat(Percentiles.of(new long[] {7}).p99()).isEqualTo(7);
    assertThat(Percentiles.of(new long[0]).isEmpty()).isTrue();
    assertThat(Percentiles.ms(-1)).isEqualTo("-");
    assertThat(Percentiles.ms(1_250_000)).isEqualTo("1.3");
  }

  @Test
  void trackerMeasuresArrivalsFullPropagationAndMissing() {
    PropagationTracker t = new PropagationTracker();
    t.published(1, 0, Set.of(1, 2, 3), 1_000);
    t.received(1, 1, 11_000);
    t.received(1, 2, 21_000);
    t.received(1, 3, 31_000);
    t.received(2, 2, 5_500); // arrives before the publisher recorded it
    t.published(2, 1, Set.of(0, 2, 3), 5_000);
    t.received(2, 0, 6_000);
    t.received(2, 0, 7_000); // duplicate
    assertThat(t.arrivalLatency().count()).isEqualTo(5);
    assertThat(t.arrivalLatency().max()).isEqualTo(30_000);
    assertThat(t.fullPropagation().count()).isEqualTo(1);
    assertThat(t.fullPropagation().p50()).isEqualTo(30_000);
    assertThat(t.missing()).containsExactly(new PropagationTracker.Missing(2, 3));
    assertThat(t.duplicates()).isEqualTo(1);
    assertThat(t.expectedArrivals()).isEqualTo(6);
    assertThat(t.blockCount()).isEqualTo(2);
  }

  @Test
  void arrivalsAtTheProposerDoNotCount() {
    PropagationTracker t = new PropagationTracker();
    t.published(1, 0, Set.of(1), 0);
    t.received(1, 0, 5);
    assertThat(t.arrivalLatency().count()).isZero();
    assertThat(t.missing()).hasSize(1);
  }

  static NodeRow row(String n, int peers, long in) {
    return new NodeRow(n, "quic", peers, 7, in, 10, 1.5, 3, 24, 2, 4_000_000, 0, 1);
  }

  @Test
  void ansiTableRedrawsInPlace() {
    TableRenderer r = new TableRenderer(true);
    String first = r.render("slot 1", List.of(row("n0", 7, 100), row("n1", 6, 90)), "prop p50 1 ms");
    assertThat(first).doesNotContain("\033[");
    assertThat(first.lines()).hasSize(5);
    assertThat(first).contains("n0", "n1", "peers", "mesh", "MB/s", "drops", "4.0ms");
    String second = r.render("slot 2", List.of(row("n0", 7, 200), row("n1", 6, 190)), "prop");
    assertThat(second).startsWith("\033[5A\r\033[J");
    assertThat(second).contains("slot 2", "200");
  }

  @Test
  void plainModePrintsOneLinePerRefresh() {
    TableRenderer r = new TableRenderer(false);
    String line = r.render("slot 3", List.of(row("n0", 7, 100), row("n1", 5, 50)), "p50 2 ms");
    assertThat(line).doesNotContain("\033[");
    assertThat(line.lines()).hasSize(1);
    assertThat(line).contains("slot 3", "min peers 5", "msgs in 150", "drops 2", "p50 2 ms");
  }

  @Test
  void summaryTextAndJson() throws Exception {
    PropagationTracker t = new PropagationTracker();
    t.published(1, 0, Set.of(1), 0);
    t.received(1, 1, 2_000_000);
    AttestationTracker a = new AttestationTracker();
    a.published(1, 0, Set.of(0, 1));
    a.published(1, 1, Set.of(0, 1));
    a.attested(1, 0, 1);
    a.attested(1, 1, 0);
    DevnetSummary ok = new DevnetSummary(2, "quic", 1, 1000, 1, 1, t.missing(), t.arrivalLatency(), t.fullPropagation(),
        true, 1, 1, 1, 3_000_000, List.of(), a.expectedCount(), a.receivedCount(), a.missing(), 1, 0, 0);
    assertThat(ok.ok()).isTrue();
    assertThat(ok.text()).contains("every node got every block published while it was in the network: YES",
        "every node got every attestation published while it was in the network: YES (2 of 2)",
        "joined (connected, subscriptions known both ways) before the publishes of slot 1", "p50 2.0 ms",
        "late node sync: 1 blocks in 3.0 ms", "RESULT: OK");
    Map<String, Object> json = JsonLines.parseObject(JsonLines.write(ok.toJson()));
    assertThat(json).containsEntry("ok", true).containsEntry("everyNodeGotEveryBlock", true)
        .containsEntry("everyNodeGotEveryAttestation", true);

    t.published(2, 1, Set.of(0), 0);
    a.published(2, 0, Set.of(0, 1));
    DevnetSummary bad = new DevnetSummary(2, "quic", 2, 1000, 2, 2, t.missing(), t.arrivalLatency(), t.fullPropagation(),
        true, 1, 1, 0, -1, List.of("slot 2 does not link"), a.expectedCount(), a.receivedCount(), a.missing(), 1, 1, 5);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.text()).contains("NO, 1 of 2 deliveries missing: slot 2 at n0",
        "NO, 2 of 3 received, missing: slot 2 of n0 at n1", "NOT finished", "sync problem", "PROBLEMS");
    Map<String, Object> bj = JsonLines.parseObject(JsonLines.write(bad.toJson()));
    assertThat(bj).containsEntry("ok", false).containsEntry("everyNodeGotEveryAttestation", false);
    assertThat((List<?>) bj.get("missing")).hasSize(1);
    assertThat((List<?>) bj.get("attestationsMissing")).hasSize(1);

    // only the missing attestations fail a run that is otherwise fine
    DevnetSummary attOnly = new DevnetSummary(2, "quic", 1, 1000, 1, 1, List.of(), t.arrivalLatency(),
        t.fullPropagation(), false, -1, -1, 0, -1, List.of(), a.expectedCount(), a.receivedCount(), a.missing(), 0, 0, 0);
    assertThat(attOnly.ok()).isFalse();
    // and a late node that never joined fails it too
    DevnetSummary neverJoined = new DevnetSummary(2, "quic", 1, 1000, 1, 1, List.of(), t.arrivalLatency(),
        t.fullPropagation(), true, 1, -1, 1, 3_000_000, List.of(), 0, 0, List.of(), 0, 0, 0);
    assertThat(neverJoined.ok()).isFalse();
    assertThat(neverJoined.text()).contains("NEVER joined");
  }

  @Test
  void attestationTrackerCountsOnlyExpectedDeliveriesAndAcceptsEarlyArrivals() {
    AttestationTracker a = new AttestationTracker();
    a.attested(3, 2, 0); // arrives before the runner recorded the publication
    a.attested(3, 2, 5); // node 5 was not part of the network then: not expected
    a.published(3, 2, Set.of(0, 1, 2));
    assertThat(a.expectedCount()).isEqualTo(2); // the attester itself is not a receiver
    assertThat(a.receivedCount()).isEqualTo(1);
    assertThat(a.unexpectedCount()).isEqualTo(1);
    assertThat(a.missing()).containsExactly(new AttestationTracker.Missing(3, 2, 1));
    a.attested(3, 2, 1);
    assertThat(a.missing()).isEmpty();
    assertThat(a.receivedCount()).isEqualTo(2);
  }
}
