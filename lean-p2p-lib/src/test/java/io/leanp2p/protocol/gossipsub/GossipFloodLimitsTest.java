package io.leanp2p.protocol.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.gossip.ControlGraft;
import io.leanp2p.codec.gossip.ControlIDontWant;
import io.leanp2p.codec.gossip.ControlIHave;
import io.leanp2p.codec.gossip.ControlIWant;
import io.leanp2p.codec.gossip.ControlMessage;
import io.leanp2p.codec.gossip.ControlPrune;
import io.leanp2p.codec.gossip.Message;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.RpcFrames;
import io.leanp2p.config.RpcLimits;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.testing.MemoryStreams;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.types.Direction;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.config.GossipConfig;

/**
 * The router's flood bounds, one test each: what a single peer can make us do (ask, serve,
 * remember, answer) per RPC or per heartbeat is capped, and every cap is counted.
 */
class GossipFloodLimitsTest {
  private static final String T = "/leanconsensus/12345678/block/ssz_snappy";

  private final VirtualScheduler sched = new VirtualScheduler();
  private final List<PeerId> sentTo = new ArrayList<>();
  private final List<Rpc> sent = new ArrayList<>();
  private final Random random = new Random(17);

  private GossipRouter router(GossipConfig cfg) {
    GossipRouter r = new GossipRouter(cfg, sched, new Random(3), new GossipOutput() {
      @Override
      public void send(PeerId to, Rpc rpc) {
        sentTo.add(to);
        sent.add(rpc);
      }

      @Override
      public void deliver(GossipMessage m) {}
    });
    r.subscribe(T);
    r.addPeer(ATTACKER, "/meshsub/1.2.0", Direction.INBOUND, "192.0.2.66");
    r.onRpc(ATTACKER, Rpc.ofSubscriptions(List.of(new SubOpts(true, T))));
    clear();
    return r;
  }

  private static final PeerId ATTACKER = GossipRouterTestAccess.peer("attacker");

  private void clear() {
    sent.clear();
    sentTo.clear();
  }

  private List<byte[]> ids(int n) {
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] id = new byte[20];
      random.nextBytes(id);
      out.add(id);
    }
    return out;
  }

  private static Rpc control(List<ControlIHave> ihave, List<ControlIWant> iwant, List<ControlGraft> graft,
      List<ControlPrune> prune, List<ControlIDontWant> idontwant) {
    return Rpc.ofControl(new ControlMessage(ihave, iwant, graft, prune, idontwant));
  }

  private static Rpc ihave(List<byte[]> ids) {
    return control(List.of(new ControlIHave(T, ids)), List.of(), List.of(), List.of(), List.of());
  }

  private static Rpc iwant(List<List<byte[]>> entries) {
    return control(List.of(), entries.stream().map(ControlIWant::new).toList(), List.of(), List.of(), List.of());
  }

  private static Rpc grafts(int n, String topic) {
    return control(List.of(), List.of(), Collections.nCopies(n, new ControlGraft(topic)), List.of(), List.of());
  }

  private int iwantIdsSent() {
    return sent.stream().filter(x -> x.control() != null)
        .mapToInt(x -> x.control().iwant().stream().mapToInt(w -> w.messageIds().size()).sum()).sum();
  }

  private int messagesSent() {
    return sent.stream().mapToInt(x -> x.publish().size()).sum();
  }

  @Test
  void ihaveRpcsPerPeerPerHeartbeatAreCapped() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    int max = GossipConfig.DEFAULT.maxIHaveMessages();
    for (int i = 0; i < max + 5; i++) {
      r.onRpc(ATTACKER, ihave(ids(1)));
    }
    assertThat(iwantIdsSent()).isEqualTo(max);
    assertThat(r.refreshSnapshot().counters().ihaveRpcsOverLimit()).isEqualTo(5);
    // the count is per heartbeat
    r.heartbeat();
    clear();
    r.onRpc(ATTACKER, ihave(ids(1)));
    assertThat(iwantIdsSent()).isEqualTo(1);
  }

  @Test
  void idsAskedForPerPeerPerHeartbeatAreCapped() {
    GossipRouter r = router(GossipConfig.DEFAULT.toBuilder().maxIHaveLength(100).build());
    r.onRpc(ATTACKER, ihave(ids(150)));
    assertThat(iwantIdsSent()).isEqualTo(100);
    assertThat(r.refreshSnapshot().counters().ihaveIdsOverLimit()).isEqualTo(50);
    clear();
    r.onRpc(ATTACKER, ihave(ids(10)));
    assertThat(iwantIdsSent()).isZero();
    assertThat(r.refreshSnapshot().counters().ihaveIdsOverLimit()).isEqualTo(60);
    r.heartbeat();
    clear();
    r.onRpc(ATTACKER, ihave(ids(10)));
    assertThat(iwantIdsSent()).isEqualTo(10);
  }

  @Test
  void idsProcessedPerIWantRpcAreCappedAtLeanSpecs5000() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    assertThat(GossipConfig.DEFAULT.maxIWantIds()).isEqualTo(5000);
    // a cached message asked for at the very end of 6000 ids is not served: the ids past 5000 are
    // not looked at
    byte[] wire = SnappyBlock.compress(new byte[100]);
    PublishResult own = r.publish(T, wire);
    clear();
    List<byte[]> flood = ids(5999);
    flood.add(own.messageId());
    r.onRpc(ATTACKER, iwant(List.of(flood.subList(0, 3000), flood.subList(3000, 6000))));
    assertThat(messagesSent()).isZero();
    assertThat(r.refreshSnapshot().counters().iwantIdsTruncated()).isEqualTo(1000);
    // within the cap it is served
    List<byte[]> small = ids(4999);
    small.add(own.messageId());
    r.onRpc(ATTACKER, iwant(List.of(small)));
    assertThat(messagesSent()).isEqualTo(1);
    assertThat(r.refreshSnapshot().counters().iwantIdsTruncated()).isEqualTo(1000);
  }

  @Test
  void idontwantIdsPerPeerPerHeartbeatAreCapped() {
    GossipRouter r = router(GossipConfig.DEFAULT.toBuilder().maxIDontWantIds(100).build());
    r.onRpc(ATTACKER, control(List.of(), List.of(), List.of(), List.of(), List.of(new ControlIDontWant(ids(150)))));
    GossipSnapshot s = r.refreshSnapshot();
    assertThat(s.counters().idontwantReceived()).isEqualTo(150);
    assertThat(s.counters().idontwantDropped()).isEqualTo(50);
    // cleared every heartbeat (leanSpec): the next window has room again
    r.heartbeat();
    r.onRpc(ATTACKER, control(List.of(), List.of(), List.of(), List.of(), List.of(new ControlIDontWant(ids(100)))));
    assertThat(r.refreshSnapshot().counters().idontwantDropped()).isEqualTo(50);
  }

  @Test
  void graftsDuringBackoffArePenalisedTwiceWhenTooSoonAndAnsweredByOnePrunePerRpc() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    double clean = r.score(ATTACKER);
    // the attacker PRUNEs us (backoff 60 s) and then floods GRAFTs: 1000 in one RPC
    r.onRpc(ATTACKER, control(List.of(), List.of(), List.of(), List.of(new ControlPrune(T, 60)), List.of()));
    clear();
    r.onRpc(ATTACKER, grafts(1000, T));
    GossipSnapshot s = r.refreshSnapshot();
    assertThat(s.mesh(T)).doesNotContain(ATTACKER);
    assertThat(s.counters().graftsDuringBackoff()).isEqualTo(1000);
    assertThat(s.counters().graftFloodPenalties()).isEqualTo(1000);
    List<ControlPrune> prunes = new ArrayList<>();
    sent.forEach(x -> prunes.addAll(x.control() == null ? List.of() : x.control().prune()));
    assertThat(prunes).as("one PRUNE answers the whole RPC").containsExactly(new ControlPrune(T, 60));
    assertThat(s.counters().prunesCoalesced()).isEqualTo(999);
    assertThat(r.score(ATTACKER)).isLessThan(clean).isLessThan(GossipConfig.DEFAULT.score().graylistThreshold());
  }

  @Test
  void aGraftLaterThanTheFloodThresholdAfterThePruneCostsOnePenalty() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    r.onRpc(ATTACKER, control(List.of(), List.of(), List.of(), List.of(new ControlPrune(T, 60)), List.of()));
    sched.advanceMillis(GossipConfig.DEFAULT.graftFloodThresholdMillis() + 1_000);
    r.onRpc(ATTACKER, grafts(1, T));
    GossipSnapshot s = r.refreshSnapshot();
    assertThat(s.counters().graftsDuringBackoff()).isEqualTo(1);
    assertThat(s.counters().graftFloodPenalties()).isZero();
    // the rejection re-armed the backoff: the next GRAFT right after is "too soon" again
    r.onRpc(ATTACKER, grafts(1, T));
    assertThat(r.refreshSnapshot().counters().graftFloodPenalties()).isEqualTo(1);
  }

  @Test
  void graftsForTopicsWeAreNotInAreIgnoredWithoutAReply() {
    GossipRouter r = router(GossipConfig.DEFAULT);
    r.onRpc(ATTACKER, grafts(500, "/leanconsensus/12345678/not_ours/ssz_snappy"));
    assertThat(sent).isEmpty();
    assertThat(r.refreshSnapshot().counters().graftsIgnoredUnsubscribed()).isEqualTo(500);
  }

  @Test
  void topicsRememberedPerPeerAreCapped() {
    GossipRouter r = router(GossipConfig.DEFAULT.toBuilder().maxTopicsPerPeer(50).build());
    List<SubOpts> subs = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      subs.add(new SubOpts(true, "/flood/" + i));
    }
    r.onRpc(ATTACKER, Rpc.ofSubscriptions(subs));
    GossipSnapshot s = r.refreshSnapshot();
    assertThat(s.peerTopics().get(ATTACKER)).hasSize(50).contains(T);
    assertThat(s.counters().subscriptionsDropped()).isEqualTo(31);
  }

  /**
   * The per-RPC bounds sit in the decoder: an RPC with too many subscriptions, control entries or
   * message ids is dropped whole, counted apart from malformed ones, and the stream goes on.
   */
  @Test
  @Timeout(10)
  void oversizedRpcsAreDroppedWholeAndCounted() {
    RpcLimits limits = RpcLimits.DEFAULT;
    assertThat(limits.maxSubscriptions()).isEqualTo(200);
    MemoryStreams.Pair pair = MemoryStreams.pair(sched);
    List<Rpc> got = new ArrayList<>();
    GossipStreams receiver = new GossipStreams((p, rpc) -> got.add(rpc), limits, 1 << 20);
    receiver.attachInbound(ATTACKER, pair.listener(), null);
    List<SubOpts> subs = new ArrayList<>();
    for (int i = 0; i <= limits.maxSubscriptions(); i++) {
      subs.add(new SubOpts(true, "/flood/" + i));
    }
    Rpc tooManySubs = Rpc.ofSubscriptions(subs);
    Rpc tooManyGrafts = grafts(limits.maxControlEntries() + 1, T);
    Rpc tooManyIds = control(List.of(new ControlIHave(T, ids(limits.maxMessageIds() / 2))),
        List.of(new ControlIWant(ids(limits.maxMessageIds() / 2 + 1))), List.of(), List.of(), List.of());
    Rpc fine = Rpc.ofSubscriptions(subs.subList(0, limits.maxSubscriptions()));
    for (Rpc rpc : List.of(tooManySubs, tooManyGrafts, tooManyIds, fine)) {
      pair.dialer().write(Unpooled.wrappedBuffer(RpcFrames.encode(rpc)));
    }
    for (int i = 0; i < 1000 && got.isEmpty(); i++) {
      sched.advanceMillis(1);
    }
    assertThat(got).containsExactly(fine);
    assertThat(receiver.counters().rpcsOverLimits()).isEqualTo(3);
    assertThat(receiver.counters().rpcDecodeErrors()).isZero();
    assertThat(pair.listener().isReset()).isFalse();
  }

  @Test
  void aMessageFloodOfOneRpcIsDecodedIntoAtMostMaxMessages() {
    // the message count per RPC is a decoder bound too (maxMessages); beyond it the RPC is dropped
    RpcLimits limits = new RpcLimits(RpcLimits.DEFAULT.maxRpcSize(), 10, 5, 10, 10);
    List<Message> msgs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      msgs.add(Message.anonymous(T, new byte[] {(byte) i}));
    }
    byte[] frame = io.leanp2p.codec.gossip.RpcCodec.encode(Rpc.ofPublish(msgs));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.leanp2p.codec.gossip.RpcCodec.decode(frame, limits))
        .isInstanceOf(io.leanp2p.util.DecodeException.class)
        .satisfies(e -> assertThat(((io.leanp2p.util.DecodeException) e).reason())
            .isEqualTo(io.leanp2p.util.DecodeException.Reason.TOO_LARGE));
  }
}
