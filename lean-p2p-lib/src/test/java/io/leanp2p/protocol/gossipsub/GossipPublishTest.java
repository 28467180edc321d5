package io.leanp2p.protocol.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.gossip.ControlGraft;
import io.leanp2p.codec.gossip.ControlMessage;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.types.Direction;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import io.leanp2p.types.Validation;
import io.leanp2p.config.GossipConfig;

/**
 * Publish semantics: an own message reaches at least D subscribed peers even when the mesh has
 * fewer (before the first heartbeat after a peer connected, say), small own messages are
 * flood-published, large ones are not, and top-up peers are not grafted.
 */
class GossipPublishTest {
  private static final String T = "/leanconsensus/12345678/block/ssz_snappy";
  private static final int LARGE = GossipConfig.DEFAULT_FLOOD_PUBLISH_MAX_BYTES + 1;

  private final VirtualScheduler sched = new VirtualScheduler();
  private final List<PeerId> sentTo = new ArrayList<>();
  private final List<Rpc> sent = new ArrayList<>();

  private GossipRouter router(GossipConfig cfg) {
    return new GossipRouter(cfg, sched, new Random(5), new GossipOutput() {
      @Override
      public void send(PeerId to, Rpc rpc) {
        sentTo.add(to);
        sent.add(rpc);
      }

      @Override
      public void deliver(GossipMessage m) {}
    });
  }

  private static PeerId p(String n) {
    return GossipRouterTestAccess.peer(n);
  }

  /** {@code n} peers p0.. that announced a subscription to T; {@code grafted} of them GRAFTed us. */
  private void peers(GossipRouter r, int n, int grafted) {
    for (int i = 0; i < n; i++) {
      r.addPeer(p("p" + i), "/meshsub/1.2.0", Direction.INBOUND, "10.0.0." + i);
      r.onRpc(p("p" + i), Rpc.ofSubscriptions(List.of(new SubOpts(true, T))));
      if (i < grafted) {
        r.onRpc(p("p" + i), Rpc.ofControl(new ControlMessage(List.of(), List.of(),
            List.of(new ControlGraft(T)), List.of(), List.of())));
      }
    }
    sent.clear();
    sentTo.clear();
  }

  /** A raw-snappy payload of at least {@code wireSize} bytes on the wire (random: incompressible). */
  private static byte[] wire(int wireSize, int seed) {
    byte[] b = new byte[wireSize];
    new Random(seed).nextBytes(b);
    byte[] w = SnappyBlock.compress(b);
    assertThat(w.length).isGreaterThanOrEqualTo(wireSize);
    return w;
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

  private boolean anyGraftSent() {
    return sent.stream().anyMatch(x -> x.control() != null && !x.control().graft().isEmpty());
  }

  @Test
  void aPublishBeforeTheMeshFormedReachesTheSubscribedPeerAndDoesNotGraftIt() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    r.subscribe(T);
    peers(r, 1, 0); // connected and subscribed; no heartbeat yet: the mesh is empty
    assertThat(r.refreshSnapshot().mesh(T)).isEmpty();

    PublishResult res = r.publish(T, wire(LARGE, 1));

    assertThat(res.recipients()).containsExactly(p("p0"));
    assertThat(publishRecipients()).containsExactly(p("p0"));
    assertThat(anyGraftSent()).as("top-up peers are not grafted").isFalse();
    assertThat(r.refreshSnapshot().mesh(T)).isEmpty();
    assertThat(r.snapshot().counters().publishTopUpPeers()).isEqualTo(1);
    assertThat(r.snapshot().counters().publishFlooded()).isZero();
  }

  @Test
  void aSmallMeshIsToppedUpToDWithOtherSubscribersAndAFullOneIsNot() {
    GossipConfig cfg = GossipConfig.DEFAULT;
    GossipRouter r = router(cfg);
    r.subscribe(T);
    peers(r, 13, 3);
    assertThat(r.refreshSnapshot().mesh(T)).containsExactlyInAnyOrder(p("p0"), p("p1"), p("p2"));

    PublishResult res = r.publish(T, wire(LARGE, 1));

    assertThat(res.recipients()).hasSize(cfg.d()).contains(p("p0"), p("p1"), p("p2")).doesNotHaveDuplicates();
    assertThat(publishRecipients()).containsExactlyInAnyOrderElementsOf(res.recipients());
    assertThat(r.refreshSnapshot().mesh(T)).hasSize(3);
    assertThat(r.snapshot().counters().publishTopUpPeers()).isEqualTo(cfg.d() - 3);

    // with a mesh of D (after a heartbeat) a publish goes to exactly the mesh
    r.heartbeat();
    List<PeerId> mesh = r.snapshot().mesh(T);
    assertThat(mesh).hasSize(cfg.d());
    sent.clear();
    sentTo.clear();
    PublishResult again = r.publish(T, wire(LARGE, 2));
    assertThat(again.recipients()).containsExactlyInAnyOrderElementsOf(mesh);
    assertThat(r.refreshSnapshot().counters().publishTopUpPeers()).isEqualTo(cfg.d() - 3);
  }

  @Test
  void smallOwnMessagesAreFloodedToEverySubscriberAndForwardedOnesAreNot() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    r.subscribe(T);
    peers(r, 13, 3);
    r.addPeer(p("other"), "/meshsub/1.2.0", Direction.INBOUND, "10.0.1.1"); // not subscribed to T
    sent.clear();
    sentTo.clear();

    PublishResult res = r.publish(T, wire(GossipConfig.DEFAULT_FLOOD_PUBLISH_MAX_BYTES - 100, 1));

    assertThat(res.recipients()).hasSize(13).doesNotContain(p("other"));
    assertThat(r.refreshSnapshot().counters().publishFlooded()).isEqualTo(1);
    assertThat(r.snapshot().mesh(T)).hasSize(3);
  }

  @Test
  void floodPublishingCanBeTurnedOffOrOnForEverySize() {
    GossipRouter never = router(GossipConfig.DEFAULT.withFloodPublish(false));
    never.subscribe(T);
    peers(never, 13, 3);
    assertThat(never.publish(T, wire(100, 1)).recipients()).hasSize(GossipConfig.DEFAULT.d());

    GossipRouter always = router(GossipConfig.DEFAULT.withFloodPublish(true));
    always.subscribe(T);
    peers(always, 13, 3);
    assertThat(always.publish(T, wire(LARGE * 4, 1)).recipients()).hasSize(13);
    assertThat(always.refreshSnapshot().counters().publishFlooded()).isEqualTo(1);
  }

  @Test
  void peersBelowThePublishThresholdGetNoTopUpAndNoFlood() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    r.subscribe(T);
    peers(r, 4, 0);
    // P5 weight 1: an application score below the publish threshold (-8000)
    r.setApplicationScore(p("p3"), -9000);
    assertThat(r.publish(T, wire(LARGE, 1)).recipients()).containsExactlyInAnyOrder(p("p0"), p("p1"), p("p2"));
    assertThat(r.publish(T, wire(100, 2)).recipients()).containsExactlyInAnyOrder(p("p0"), p("p1"), p("p2"));
  }

  @Test
  void anUnsubscribedTopicsFanoutIsToppedUpAsSubscribersArrive() {
    GossipRouter r = router(GossipConfig.DEFAULT.withFloodPublish(false));
    peers(r, 2, 0);
    assertThat(r.publish(T, wire(LARGE, 1)).recipients()).hasSize(2);
    for (int i = 2; i < 12; i++) {
      r.addPeer(p("p" + i), "/meshsub/1.2.0", Direction.INBOUND, "10.0.0." + i);
      r.onRpc(p("p" + i), Rpc.ofSubscriptions(List.of(new SubOpts(true, T))));
    }
    PublishResult second = r.publish(T, wire(LARGE, 2));
    assertThat(second.recipients()).hasSize(GossipConfig.DEFAULT.d()).contains(p("p0"), p("p1"));
    assertThat(r.refreshSnapshot().fanout().get(T)).containsExactlyInAnyOrderElementsOf(second.recipients());
    assertThat(anyGraftSent()).isFalse();
  }

  /**
   * The race the devnet's late node lost messages to: a message arrives and is forwarded to the
   * mesh while the new peer is not in it yet, then the new peer GRAFTs us before our heartbeat could
   * offer it by IHAVE (which goes to non-mesh peers only). Joining the mesh brings the IHAVE.
   */
  @Test
  void aPeerJoiningTheMeshIsOfferedWhatWasForwardedJustBefore() {
    for (boolean on : new boolean[] {true, false}) {
      sent.clear();
      sentTo.clear();
      List<GossipMessage> got = new ArrayList<>();
      GossipRouter relay = new GossipRouter(GossipConfig.DEFAULT.toBuilder().gossipOnGraft(on).build(), sched,
          new Random(5), new GossipOutput() {
            @Override
            public void send(PeerId to, Rpc rpc) {
              sentTo.add(to);
              sent.add(rpc);
            }

            @Override
            public void deliver(GossipMessage m) {
              got.add(m);
            }
          });
      relay.subscribe(T);
      for (String n : List.of("p0", "late")) {
        relay.addPeer(p(n), "/meshsub/1.2.0", Direction.INBOUND, null);
        relay.onRpc(p(n), Rpc.ofSubscriptions(List.of(new SubOpts(true, T))));
      }
      relay.onRpc(p("p0"), Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(new ControlGraft(T)),
          List.of(), List.of())));
      relay.onRpc(p("p0"), Rpc.ofPublish(List.of(io.leanp2p.codec.gossip.Message.anonymous(T, wire(LARGE, 7)))));
      relay.reportValidation(got.get(0).messageId(), Validation.ACCEPT);
      sent.clear();
      sentTo.clear();

      relay.onRpc(p("late"), Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(new ControlGraft(T)),
          List.of(), List.of())));

      assertThat(relay.refreshSnapshot().mesh(T)).contains(p("late"));
      List<byte[]> offered = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        if (sentTo.get(i).equals(p("late")) && sent.get(i).control() != null) {
          sent.get(i).control().ihave().forEach(h -> offered.addAll(h.messageIds()));
        }
      }
      if (on) {
        assertThat(offered).hasSize(1);
        assertThat(offered.get(0)).isEqualTo(got.get(0).messageId());
        assertThat(relay.snapshot().counters().ihaveOnGraft()).isEqualTo(1);
      } else {
        assertThat(offered).isEmpty();
      }
    }
  }

  // ------------------------------------------------------------------ under virtual time

  /**
   * Two routers, both subscribed, connect; one publishes a block-sized message a few milliseconds
   * after the other's subscription arrived, long before the first heartbeat could form a mesh.
   */
  @Test
  void aPublishRightAfterASubscribedPeerConnectsReachesItBeforeAnyHeartbeat() {
    for (long seed = 1; seed <= 20; seed++) {
      SimNetwork net = new SimNetwork(seed);
      SimNetwork.Node a = net.addNode(GossipConfig.DEFAULT);
      SimNetwork.Node b = net.addNode(GossipConfig.DEFAULT);
      net.startAll();
      a.router.subscribe(T);
      b.router.subscribe(T);
      net.runMillis(100);
      net.connect(a, b);
      net.runMillis(40); // link latency is 5-30 ms: b's subscription is in, no heartbeat yet
      assertThat(a.router.refreshSnapshot().peerTopics().get(b.id)).contains(T);
      assertThat(a.router.snapshot().mesh(T)).as("no mesh yet").isEmpty();

      PublishResult res = a.router.publish(T, wire(LARGE * 8, (int) seed));
      net.runMillis(40);

      assertThat(res.recipients()).containsExactly(b.id);
      assertThat(b.received).containsKey(Hex.encode(res.messageId()));
    }
  }

  /**
   * The devnet's late node under virtual time: a formed network of 8, then a ninth node connected
   * to two of them. Every node publishes a block-sized and an attestation-sized message as soon as
   * the ninth node's subscription is known to its two peers, before any heartbeat ran since; every
   * message reaches every node, the ninth included, and the ninth's reach every other node.
   */
  @Test
  void aLateNodeGetsAndSpreadsEverythingPublishedOnceItsSubscriptionIsKnown() {
    for (long seed = 1; seed <= 10; seed++) {
      SimNetwork net = new SimNetwork(seed);
      for (int i = 0; i < 8; i++) {
        net.addNode(GossipConfig.DEFAULT);
      }
      for (int i = 1; i < 8; i++) {
        for (int j = 0; j < i; j++) {
          net.connect(net.nodes.get(i), net.nodes.get(j));
        }
      }
      net.startAll();
      for (SimNetwork.Node n : net.nodes) {
        n.router.subscribe(T);
      }
      net.runMillis(5_000);
      SimNetwork.Node late = net.addNode(GossipConfig.DEFAULT);
      late.router.start();
      late.router.subscribe(T);
      // join right after a heartbeat of the others: the next one is ~700 ms away
      net.connect(late, net.nodes.get(0));
      net.connect(late, net.nodes.get(1));
      net.runMillis(40);
      for (SimNetwork.Node n : List.of(net.nodes.get(0), net.nodes.get(1))) {
        assertThat(n.router.refreshSnapshot().peerTopics().get(late.id)).contains(T);
        assertThat(n.router.snapshot().mesh(T)).doesNotContain(late.id);
      }
      Set<String> ids = new HashSet<>();
      Random rnd = new Random(seed);
      for (SimNetwork.Node n : net.nodes) {
        for (int size : new int[] {LARGE * 4, 560}) {
          byte[] ssz = new byte[size];
          rnd.nextBytes(ssz);
          PublishResult res = n.router.publish(T, SnappyBlock.compress(ssz));
          assertThat(res.accepted()).isTrue();
          String id = Hex.encode(res.messageId());
          ids.add(id);
          n.received.put(id, null); // the publisher has it
        }
      }
      net.runMillis(3_000); // a few heartbeats: IHAVE / IWANT may carry what the mesh did not
      for (SimNetwork.Node n : net.nodes) {
        assertThat(n.received.keySet()).as("seed %d, node %d", seed, n.index).containsAll(ids);
      }
    }
  }
}
