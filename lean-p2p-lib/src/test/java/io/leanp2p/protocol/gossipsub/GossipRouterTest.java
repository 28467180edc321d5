package io.leanp2p.protocol.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.gossip.ControlGraft;
import io.leanp2p.codec.gossip.ControlIWant;
import io.leanp2p.codec.gossip.ControlMessage;
import io.leanp2p.codec.gossip.ControlPrune;
import io.leanp2p.codec.gossip.Message;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.types.Direction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import io.leanp2p.types.Validation;
import io.leanp2p.config.GossipConfig;
import io.leanp2p.config.PeerScoreParams;
import io.leanp2p.config.TopicScoreParams;

/** Focused router behaviour: validation gating, StrictNoSign, IDONTWANT, IWANT caps, scoring. */
class GossipRouterTest {
  private static final String T = "/leanconsensus/12345678/block/ssz_snappy";

  private final VirtualScheduler sched = new VirtualScheduler();
  private final List<PeerId> sentTo = new ArrayList<>();
  private final List<Rpc> sent = new ArrayList<>();
  private final List<GossipMessage> delivered = new ArrayList<>();

  private GossipRouter router(GossipConfig cfg) {
    return new GossipRouter(cfg, sched, new Random(3), new GossipOutput() {
      @Override
      public void send(PeerId to, Rpc rpc) {
        sentTo.add(to);
        sent.add(rpc);
      }

      @Override
      public void deliver(GossipMessage m) {
        delivered.add(m);
      }
    });
  }

  private static PeerId p(String n) {
    return GossipRouterTestAccess.peer(n);
  }

  /** A router subscribed to T with {@code n} mesh peers p0..p(n-1) (all subscribed to T). */
  private GossipRouter meshOf(GossipConfig cfg, int n, String protocol) {
    GossipRouter r = router(cfg);
    r.subscribe(T);
    for (int i = 0; i < n; i++) {
      r.addPeer(p("p" + i), protocol, Direction.OUTBOUND, "10.0.0." + i);
      r.onRpc(p("p" + i), Rpc.ofSubscriptions(List.of(new SubOpts(true, T))));
      r.onRpc(p("p" + i), Rpc.ofControl(control(List.of(new ControlGraft(T)), List.of())));
    }
    sent.clear();
    sentTo.clear();
    return r;
  }

  private static ControlMessage control(List<ControlGraft> g, List<ControlPrune> p) {
    return new ControlMessage(List.of(), List.of(), g, p, List.of());
  }

  private List<PeerId> publishRecipients() {
    List<PeerId> out = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      if (!sent.get(i).publish().isEmpty()) {
        out.add(sentTo.get(i));
      }
    }
    return out;
  }

  private static byte[] wire(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return SnappyBlock.compress(b);
  }

  @Test
  void messagesAreForwardedOnlyAfterAccept() {
    GossipRouter r = meshOf(GossipConfig.DEFAULT, 3, "/meshsub/1.2.0");
    r.onRpc(p("p0"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(100, 1)))));
    assertThat(delivered).hasSize(1);
    assertThat(delivered.get(0).data()).hasSize(100);
    assertThat(publishRecipients()).as("nothing forwarded before validation").isEmpty();
    r.reportValidation(delivered.get(0).messageId(), Validation.ACCEPT);
    assertThat(publishRecipients()).containsExactlyInAnyOrder(p("p1"), p("p2"));
    assertThat(r.refreshSnapshot().counters().messagesAccepted()).isEqualTo(1);
    // a late / unknown verdict is counted, not applied
    r.reportValidation(delivered.get(0).messageId(), Validation.ACCEPT);
    assertThat(r.refreshSnapshot().counters().validationUnknown()).isEqualTo(1);
  }

  @Test
  void rejectPenalisesTheSourceAndIgnoreDoesNot() {
    GossipRouter r = meshOf(GossipConfig.DEFAULT, 3, "/meshsub/1.2.0");
    r.onRpc(p("p0"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(100, 1)))));
    r.onRpc(p("p1"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(100, 2)))));
    double before0 = r.score(p("p0"));
    double before1 = r.score(p("p1"));
    r.reportValidation(delivered.get(0).messageId(), Validation.REJECT);
    r.reportValidation(delivered.get(1).messageId(), Validation.IGNORE);
    assertThat(publishRecipients()).isEmpty();
    assertThat(r.score(p("p0"))).isLessThan(before0).isNegative();
    assertThat(r.score(p("p1"))).isEqualTo(before1);
    // the next heartbeat prunes the negative-score peer from the mesh
    r.heartbeat();
    assertThat(r.snapshot().mesh(T)).doesNotContain(p("p0")).contains(p("p1"));
  }

  @Test
  void unansweredValidationTimesOutAsIgnoreAndPendingIsCapped() {
    GossipRouter r = meshOf(GossipConfig.DEFAULT.withValidation(1_000, 2), 3, "/meshsub/1.2.0");
    for (int i = 0; i < 3; i++) {
      r.onRpc(p("p0"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(50, 10 + i)))));
    }
    assertThat(delivered).hasSize(2);
    assertThat(GossipRouterTestAccess.pendingValidations(r)).isEqualTo(2);
    assertThat(r.refreshSnapshot().counters().messagesDroppedValidationQueueFull()).isEqualTo(1);
    sched.advanceMillis(1_001);
    r.heartbeat();
    assertThat(GossipRouterTestAccess.pendingValidations(r)).isZero();
    assertThat(r.snapshot().counters().validationTimeouts()).isEqualTo(2);
    assertThat(r.snapshot().counters().messagesIgnored()).isEqualTo(2);
    assertThat(publishRecipients()).isEmpty();
    // the dropped one was not marked seen: a later copy is processed
    r.onRpc(p("p1"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(50, 12)))));
    assertThat(delivered).hasSize(3);
  }

  @Test
  void strictNoSignDropsAndCountsSignedMessagesAndNeverSendsThoseFields() {
    GossipRouter r = meshOf(GossipConfig.DEFAULT, 2, "/meshsub/1.2.0");
    r.onRpc(p("p0"), Rpc.ofPublish(List.of(new Message(new byte[] {1}, wire(10, 1), null, T, null, null),
        new Message(null, wire(10, 2), new byte[8], T, null, null),
        new Message(null, wire(10, 3), null, T, new byte[64], null),
        new Message(null, wire(10, 4), null, T, null, new byte[33]))));
    assertThat(delivered).isEmpty();
    assertThat(r.refreshSnapshot().counters().messagesDroppedSignedFields()).isEqualTo(4);
    PublishResult res = r.publish(T, wire(10, 5));
    assertThat(res.recipients()).hasSize(2);
    for (Rpc rpc : sent) {
      for (Message m : rpc.publish()) {
        assertThat(m.hasSignatureFields()).isFalse();
      }
    }
  }

  @Test
  void publishingWithoutPeersIsAcceptedAndDuplicatesAreRecognised() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    byte[] w = wire(10, 1);
    PublishResult a = r.publish(T, w);
    assertThat(a.status()).isEqualTo(PublishResult.Status.ACCEPTED);
    assertThat(a.recipients()).isEmpty();
    assertThat(r.publish(T, w).status()).isEqualTo(PublishResult.Status.DUPLICATE);
    assertThat(r.publish("", w).status()).isEqualTo(PublishResult.Status.INVALID_TOPIC);
  }

  @Test
  void iDontWantIsSentForLargeMessagesToV12MeshPeersOnly() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    r.subscribe(T);
    String[] protos = {"/meshsub/1.2.0", "/meshsub/1.2.0", "/meshsub/1.1.0"};
    for (int i = 0; i < 3; i++) {
      r.addPeer(p("p" + i), protos[i], Direction.OUTBOUND, null);
      r.onRpc(p("p" + i), new Rpc(List.of(new SubOpts(true, T)), List.of(),
          control(List.of(new ControlGraft(T)), List.of())));
    }
    sent.clear();
    sentTo.clear();
    r.onRpc(p("p0"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(2000, 1)))));
    List<PeerId> idw = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      if (sent.get(i).control() != null && !sent.get(i).control().idontwant().isEmpty()) {
        idw.add(sentTo.get(i));
      }
    }
    assertThat(idw).containsExactly(p("p1"));
    sent.clear();
    sentTo.clear();
    r.onRpc(p("p0"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(100, 2)))));
    assertThat(sent).isEmpty();
  }

  @Test
  void iWantAnswersAreCappedPerPeerPerMessageForTheLifeOfTheCacheEntry() {
    GossipRouter r = meshOf(GossipConfig.DEFAULT, 2, "/meshsub/1.2.0");
    PublishResult res = r.publish(T, wire(10, 1));
    sent.clear();
    sentTo.clear();
    Rpc iwant = Rpc.ofControl(new ControlMessage(List.of(), List.of(new ControlIWant(List.of(res.messageId()))),
        List.of(), List.of(), List.of()));
    for (int i = 0; i < 5; i++) {
      r.onRpc(p("p0"), iwant);
    }
    assertThat(sent.stream().mapToInt(x -> x.publish().size()).sum()).isEqualTo(3);
    assertThat(r.refreshSnapshot().counters().iwantRetransmissionCapped()).isEqualTo(2);
    // heartbeats do not reset the count (leanSpec's per-window reset let one peer pull a message
    // 15 times in 2.5 s): for as long as the message is cached, p0 gets no fourth copy
    for (int hb = 0; hb < GossipConfig.DEFAULT.mcacheLength() - 1; hb++) {
      r.heartbeat();
      sent.clear();
      r.onRpc(p("p0"), iwant);
      assertThat(sent.stream().mapToInt(x -> x.publish().size()).sum()).as("after heartbeat %d", hb + 1).isZero();
    }
    assertThat(r.refreshSnapshot().counters().iwantRetransmissionCapped())
        .isEqualTo(2 + GossipConfig.DEFAULT.mcacheLength() - 1);
    // the cap is per peer: p1 still gets its three
    sent.clear();
    sentTo.clear();
    for (int i = 0; i < 4; i++) {
      r.onRpc(p("p1"), iwant);
    }
    assertThat(publishRecipients()).containsExactly(p("p1"), p("p1"), p("p1"));
    // once the message has left the cache nothing is served and nothing is counted any more
    r.heartbeat();
    sent.clear();
    r.onRpc(p("p1"), iwant);
    r.onRpc(p("p0"), iwant);
    assertThat(sent).isEmpty();
    assertThat(r.refreshSnapshot().counters().iwantServed()).isEqualTo(6);
  }

  @Test
  void retransmissionCapIsConfigurable() {
    GossipRouter r = meshOf(GossipConfig.DEFAULT.toBuilder().gossipRetransmission(1).build(), 1, "/meshsub/1.2.0");
    PublishResult res = r.publish(T, wire(10, 1));
    sent.clear();
    Rpc iwant = Rpc.ofControl(new ControlMessage(List.of(), List.of(new ControlIWant(List.of(res.messageId()))),
        List.of(), List.of(), List.of()));
    r.onRpc(p("p0"), iwant);
    r.onRpc(p("p0"), iwant);
    assertThat(sent.stream().mapToInt(x -> x.publish().size()).sum()).isEqualTo(1);
    assertThat(r.refreshSnapshot().counters().iwantRetransmissionCapped()).isEqualTo(1);
  }

  @Test
  void ipColocationAndBehaviourPenaltyLowerScores() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    r.subscribe(T);
    for (int i = 0; i < 6; i++) {
      r.addPeer(p("same" + i), "/meshsub/1.2.0", Direction.INBOUND, "192.0.2.1");
    }
    r.addPeer(p("alone"), "/meshsub/1.2.0", Direction.INBOUND, "192.0.2.2");
    // 6 peers on one IP, threshold 3: (6-3)^2 * -35.11
    assertThat(r.score(p("same0"))).isCloseTo(9 * -35.11, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.score(p("alone"))).isZero();
    // GRAFT while in backoff: PRUNE back and a behaviour penalty; above the threshold it counts
    r.onRpc(p("alone"), new Rpc(List.of(new SubOpts(true, T)), List.of(),
        control(List.of(), List.of(new ControlPrune(T, 60)))));
    for (int i = 0; i < 10; i++) {
      r.onRpc(p("alone"), Rpc.ofControl(control(List.of(new ControlGraft(T)), List.of())));
    }
    assertThat(r.refreshSnapshot().counters().graftsRejected()).isEqualTo(10);
    // each GRAFT: one penalty for the backoff and one for coming within 10 s of the PRUNE: 20,
    // 14 above the threshold of 6
    assertThat(r.score(p("alone"))).isCloseTo(14 * 14 * -15.92, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.snapshot().mesh(T)).doesNotContain(p("alone"));
  }

  @Test
  void timeInMeshAndFirstDeliveriesRaiseScores() {
    GossipRouter r = meshOf(GossipConfig.DEFAULT, 2, "/meshsub/1.2.0");
    sched.advanceMillis(40_000);
    double p1Only = r.score(p("p1"));
    assertThat(p1Only).isCloseTo(10 * 0.0324, org.assertj.core.data.Offset.offset(1e-9));
    r.onRpc(p("p0"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(100, 1)))));
    r.reportValidation(delivered.get(0).messageId(), Validation.ACCEPT);
    assertThat(r.score(p("p0"))).isCloseTo(p1Only + 1.0, org.assertj.core.data.Offset.offset(1e-9));
    r.setApplicationScore(p("p1"), -100);
    assertThat(r.score(p("p1"))).isCloseTo(p1Only - 100, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void heartbeatGraftsUpToD() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    r.subscribe(T);
    for (int i = 0; i < 20; i++) {
      r.addPeer(p("p" + i), "/meshsub/1.2.0", Direction.INBOUND, null);
      r.onRpc(p("p" + i), Rpc.ofSubscriptions(List.of(new SubOpts(true, T))));
    }
    assertThat(r.refreshSnapshot().mesh(T)).isEmpty();
    r.heartbeat();
    assertThat(r.snapshot().mesh(T)).hasSize(GossipConfig.DEFAULT.d());
  }

  @Test
  void graftsBeyondDHighFromInboundAreRefusedAndHeartbeatTrimsToDKeepingOutbound() {
    GossipConfig cfg = GossipConfig.DEFAULT;
    GossipRouter r = router(cfg);
    r.subscribe(T);
    for (int i = 0; i < 20; i++) {
      r.addPeer(p("p" + i), "/meshsub/1.2.0", i < 5 ? Direction.OUTBOUND : Direction.INBOUND, null);
      r.onRpc(p("p" + i), Rpc.ofSubscriptions(List.of(new SubOpts(true, T))));
    }
    for (int i = 19; i >= 0; i--) { // inbound first: they fill the mesh to dHigh
      r.onRpc(p("p" + i), Rpc.ofControl(control(List.of(new ControlGraft(T)), List.of())));
    }
    // 12 inbound accepted, 3 inbound refused, the 5 outbound accepted beyond dHigh
    assertThat(r.refreshSnapshot().mesh(T)).hasSize(cfg.dHigh() + 5);
    assertThat(r.snapshot().counters().graftsRejected()).isEqualTo(3);
    r.heartbeat();
    List<PeerId> m = r.snapshot().mesh(T);
    assertThat(m).hasSize(cfg.d());
    long outbound = m.stream().filter(x -> List.of(p("p0"), p("p1"), p("p2"), p("p3"), p("p4")).contains(x)).count();
    assertThat(outbound).isGreaterThanOrEqualTo(cfg.dOut());
    for (int i = 0; i < 20; i++) {
      if (!m.contains(p("p" + i))) {
        assertThat(GossipRouterTestAccess.hasBackoff(r, p("p" + i), T)).as("p" + i).isTrue();
      }
    }
  }

  @Test
  void meshDeliveryDeficitPenalisesSilentMeshPeersAndLeavesAFailurePenalty() {
    PeerScoreParams score = PeerScoreParams.DEFAULT
        .withDefaultTopic(TopicScoreParams.DEFAULT.withMeshDeliveries(-1.0, 2, 1_000, -1.0))
        .withDecayIntervalMillis(1_000);
    GossipRouter r = meshOf(GossipConfig.DEFAULT.withScore(score), 2, "/meshsub/1.2.0");
    sched.advanceMillis(1_500);
    for (int i = 0; i < 2; i++) {
      r.onRpc(p("p1"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(100, i)))));
      r.reportValidation(delivered.get(i).messageId(), Validation.ACCEPT);
    }
    r.heartbeat(); // decay: P3 becomes active; p0 delivered nothing -> deficit 2 -> -4 -> pruned
    assertThat(r.snapshot().mesh(T)).containsExactly(p("p1"));
    assertThat(r.score(p("p1"))).isPositive();
    // out of the mesh, P3 no longer applies but the failure penalty P3b (deficit^2 = 4) does
    assertThat(r.score(p("p0"))).isCloseTo(-4.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void opportunisticGraftingAddsWellScoredPeersWhenTheMeshMedianIsLow() {
    GossipRouter r = meshOf(GossipConfig.DEFAULT.withOpportunisticGraft(1, 2), 8, "/meshsub/1.2.0");
    for (int i = 0; i < 3; i++) {
      r.addPeer(p("good" + i), "/meshsub/1.2.0", Direction.INBOUND, "10.1.0." + i);
      r.onRpc(p("good" + i), Rpc.ofSubscriptions(List.of(new SubOpts(true, T))));
      r.setApplicationScore(p("good" + i), 50);
    }
    r.heartbeat();
    List<PeerId> m = r.snapshot().mesh(T);
    assertThat(m).hasSize(10);
    assertThat(m.stream().filter(x -> x.equals(p("good0")) || x.equals(p("good1")) || x.equals(p("good2"))).count())
        .isEqualTo(2);
  }

  @Test
  void publishingToAnUnsubscribedTopicUsesFanoutThatExpires() {
    GossipRouter r = router(GossipConfig.DEFAULT.withFloodPublish(false));
    for (int i = 0; i < 10; i++) {
      r.addPeer(p("p" + i), "/meshsub/1.2.0", Direction.OUTBOUND, null);
      r.onRpc(p("p" + i), Rpc.ofSubscriptions(List.of(new SubOpts(true, T))));
    }
    PublishResult res = r.publish(T, wire(10, 1));
    assertThat(res.recipients()).hasSize(GossipConfig.DEFAULT.d());
    r.heartbeat();
    assertThat(r.snapshot().fanout().get(T)).hasSize(GossipConfig.DEFAULT.d());
    sched.advanceMillis(GossipConfig.DEFAULT.fanoutTtlMillis() + 1);
    r.heartbeat();
    assertThat(r.snapshot().fanout()).doesNotContainKey(T);
    // subscribing later takes the mesh from the peers
    assertThat(r.subscribe(T)).isTrue();
    assertThat(r.refreshSnapshot().mesh(T)).hasSize(GossipConfig.DEFAULT.d());
  }

  @Test
  void invalidDeliveryPenaltyDecaysAndSurvivesReconnection() {
    GossipRouter r = meshOf(GossipConfig.DEFAULT, 2, "/meshsub/1.2.0");
    r.onRpc(p("p0"), Rpc.ofPublish(List.of(Message.anonymous(T, wire(100, 1)))));
    r.reportValidation(delivered.get(0).messageId(), Validation.REJECT);
    double s0 = r.score(p("p0"));
    assertThat(s0).isLessThan(-98);
    // reconnecting does not wash the score (retainScore)
    r.removePeer(p("p0"));
    r.addPeer(p("p0"), "/meshsub/1.2.0", Direction.OUTBOUND, "10.0.0.0");
    assertThat(r.score(p("p0"))).isEqualTo(s0);
    // decay (every 4 s) moves it back towards zero
    for (int i = 0; i < 20; i++) {
      sched.advanceMillis(4_000);
      r.heartbeat();
    }
    assertThat(r.score(p("p0"))).isGreaterThan(s0).isNegative();
  }

  @Test
  void subscriptionsPerPeerAreBounded() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    r.addPeer(p("p0"), "/meshsub/1.2.0", Direction.INBOUND, null);
    List<SubOpts> subs = new ArrayList<>();
    for (int i = 0; i < 1005; i++) {
      subs.add(new SubOpts(true, "t" + i));
    }
    r.onRpc(p("p0"), Rpc.ofSubscriptions(subs.subList(0, 900)));
    r.onRpc(p("p0"), Rpc.ofSubscriptions(subs.subList(900, 1005)));
    GossipSnapshot s = r.refreshSnapshot();
    assertThat(s.peerTopics().get(p("p0"))).hasSize(GossipConfig.DEFAULT.maxTopicsPerPeer());
    assertThat(s.counters().subscriptionsDropped()).isEqualTo(5);
  }
}
