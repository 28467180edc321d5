package io.leanp2p.adversarial;

import io.leanp2p.codec.gossip.ControlGraft;
import io.leanp2p.codec.gossip.ControlIDontWant;
import io.leanp2p.codec.gossip.ControlIHave;
import io.leanp2p.codec.gossip.ControlIWant;
import io.leanp2p.codec.gossip.ControlMessage;
import io.leanp2p.codec.gossip.ControlPrune;
import io.leanp2p.codec.gossip.Message;
import io.leanp2p.codec.gossip.MessageId;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.RpcFrames;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.multiformats.Varint;
import io.leanp2p.node.Outcome;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.types.TransportKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gossipsub floods end to end: an authenticated peer that subscribes and then floods control
 * messages, subscriptions and junk. The router's own limits belong to the gossip work (issue #14
 * item 2); here the victim must survive and keep serving honest peers.
 */
@Timeout(180)
class GossipAttackTest extends AttackSuite {
  private static final String TOPIC = Victim.TOPIC;
  private final Random random = new Random(14);

  @Override
  String victimName() {
    return "gossip";
  }

  private static byte[] frame(Rpc rpc) {
    return RpcFrames.encode(rpc);
  }

  private static Rpc control(List<ControlIHave> ihave, List<ControlIWant> iwant, List<ControlGraft> graft,
      List<ControlPrune> prune, List<ControlIDontWant> idontwant) {
    return Rpc.ofControl(new ControlMessage(ihave, iwant, graft, prune, idontwant));
  }

  private List<byte[]> randomIds(int n) {
    List<byte[]> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] id = new byte[MessageId.LENGTH];
      random.nextBytes(id);
      ids.add(id);
    }
    return ids;
  }

  /** A subscribed attacker with its gossip stream to the victim open. */
  private MuxedStream subscribed(StreamAttacker a) throws Exception {
    MuxedStream s = a.open("/meshsub/1.2.0");
    a.write(s, frame(Rpc.ofSubscriptions(List.of(new SubOpts(true, TOPIC)))), false);
    return s;
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void iwantFloodForCachedMessagesFromAPeerThatDoesNotRead(TransportKind kind) throws Exception {
    try (StreamAttacker a = StreamAttacker.over(kind, false).connect(victim, kind)) {
      MuxedStream s = subscribed(a);
      List<byte[]> ids = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        byte[] block = new byte[128 * 1024];
        random.nextBytes(block);
        assertThat(victim.net.publish(TOPIC, block)).isEqualTo(Outcome.ACCEPTED);
        ids.add(MessageId.computeDecompressed(TOPIC, SnappyBlock.compress(block), block));
      }
      List<byte[]> many = new ArrayList<>();
      for (int i = 0; i < 5000; i++) {
        many.add(ids.get(i % ids.size()));
      }
      byte[] iwant = frame(control(List.of(), List.of(new ControlIWant(many)), List.of(), List.of(), List.of()));
      a.flood(s, List.of(iwant), Attack.size(20, 400));
      victim.assertServesHonestPeers();
    }
  }

  @Test
  void ihaveAndIdontwantFloods() throws Exception {
    try (StreamAttacker a = StreamAttacker.over(TransportKind.TCP, true).connect(victim, TransportKind.TCP)) {
      MuxedStream s = subscribed(a);
      List<byte[]> frames = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        List<ControlIHave> ihaves = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
          ihaves.add(new ControlIHave(TOPIC, randomIds(500)));
        }
        frames.add(frame(control(ihaves, List.of(), List.of(), List.of(), List.of())));
        frames.add(frame(control(List.of(), List.of(), List.of(), List.of(), List.of(new ControlIDontWant(randomIds(5000))))));
      }
      a.flood(s, frames, Attack.size(3, 50));
      victim.assertServesHonestPeers();
    }
  }

  @Test
  void graftPruneChurnAndGraftsForUnknownTopics() throws Exception {
    try (StreamAttacker a = StreamAttacker.over(TransportKind.TCP, true).connect(victim, TransportKind.TCP)) {
      MuxedStream s = subscribed(a);
      List<ControlGraft> unknown = new ArrayList<>();
      for (int i = 0; i < 4000; i++) {
        unknown.add(new ControlGraft("/leanconsensus/deadbeef/t" + i + "/ssz_snappy"));
      }
      List<byte[]> frames = new ArrayList<>();
      frames.add(frame(control(List.of(), List.of(), unknown, List.of(), List.of())));
      for (int i = 0; i < 200; i++) {
        frames.add(frame(control(List.of(), List.of(), List.of(new ControlGraft(TOPIC)), List.of(), List.of())));
        frames.add(frame(control(List.of(), List.of(), List.of(), List.of(new ControlPrune(TOPIC, 0, 0)), List.of())));
      }
      a.flood(s, frames, Attack.size(3, 30));
      victim.assertServesHonestPeers();
    }
  }

  /**
   * GRAFTs while in the backoff the peer itself asked for (a PRUNE with a backoff): each is a P7
   * behaviour penalty, two within 10 s of the PRUNE, so the score falls below the graylist
   * threshold. The peer policy disconnects the peer at its next tick and refuses it for the
   * backoff: the same identity dialing again is closed at once.
   */
  @Test
  void graftsInBackoffGraylistThePeerWhichIsDisconnectedAndKeptOut() throws Exception {
    Map<String, String> graylisted = Map.of("reason", "score_graylisted");
    Map<String, String> refused = Map.of("reason", "graylisted");
    double evictedBefore = victim.metric("leanp2p_peers_evicted_total", graylisted);
    double refusedBefore = victim.metric("leanp2p_peers_refused_total", refused);
    try (StreamAttacker a = StreamAttacker.over(TransportKind.TCP, true).connect(victim, TransportKind.TCP)) {
      MuxedStream s = subscribed(a);
      List<byte[]> frames = new ArrayList<>();
      frames.add(frame(control(List.of(), List.of(), List.of(new ControlGraft(TOPIC)), List.of(), List.of())));
      frames.add(frame(control(List.of(), List.of(), List.of(), List.of(new ControlPrune(TOPIC, 60, 0)), List.of())));
      for (int i = 0; i < 60; i++) {
        frames.add(frame(control(List.of(), List.of(), List.of(new ControlGraft(TOPIC)), List.of(), List.of())));
      }
      a.flood(s, frames, 1);
      Connection first = a.connection();
      assertThat(first.closeFuture().await(20, TimeUnit.SECONDS)).as("the graylisted peer is disconnected").isTrue();
      assertThat(victim.awaitMetric("leanp2p_peers_evicted_total", graylisted, evictedBefore + 1, Duration.ofSeconds(5)))
          .as("graylist disconnects; victim: %s", victim.diagnostics())
          .isGreaterThanOrEqualTo(evictedBefore + 1);
      // the same identity comes back at once: refused for the backoff
      try {
        a.connect(victim, TransportKind.TCP);
        assertThat(a.connection().closeFuture().await(20, TimeUnit.SECONDS)).as("the banned peer is closed").isTrue();
      } catch (Exception refusedAtDial) {
        // closed before the dial completed: refused as well
      }
      assertThat(victim.awaitMetric("leanp2p_peers_refused_total", refused, refusedBefore + 1, Duration.ofSeconds(5)))
          .as("graylisted peers refused; victim: %s", victim.diagnostics())
          .isGreaterThanOrEqualTo(refusedBefore + 1);
      victim.assertServesHonestPeers();
    }
  }

  @Test
  void subscriptionFlood() throws Exception {
    try (StreamAttacker a = StreamAttacker.over(TransportKind.TCP, true).connect(victim, TransportKind.TCP)) {
      MuxedStream s = a.open("/meshsub/1.2.0");
      List<byte[]> frames = new ArrayList<>();
      for (int r = 0; r < Attack.size(20, 200); r++) {
        List<SubOpts> subs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          subs.add(new SubOpts(r % 2 == 0, "/leanconsensus/" + r + "/topic" + i + "-" + "x".repeat(100) + "/ssz_snappy"));
        }
        frames.add(frame(Rpc.ofSubscriptions(subs)));
      }
      a.flood(s, frames, 1);
      victim.assertServesHonestPeers();
    }
  }

  @Test
  void junkPublishesAndMalformedRpcs() throws Exception {
    try (StreamAttacker a = StreamAttacker.over(TransportKind.TCP, true).connect(victim, TransportKind.TCP)) {
      MuxedStream s = subscribed(a);
      List<Message> junk = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        byte[] data = new byte[1000];
        random.nextBytes(data); // not snappy
        junk.add(Message.anonymous(i % 2 == 0 ? TOPIC : "/leanconsensus/00000000/nope/ssz_snappy", data));
      }
      List<byte[]> frames = new ArrayList<>();
      frames.add(frame(Rpc.ofPublish(junk)));
      frames.add(frame(Rpc.ofPublish(junk))); // the same again: duplicates
      byte[] garbage = new byte[3000];
      random.nextBytes(garbage);
      byte[] bad = new byte[Varint.encodedLength(garbage.length) + garbage.length];
      int off = Varint.write(garbage.length, bad, 0);
      System.arraycopy(garbage, 0, bad, off, garbage.length);
      frames.add(bad); // a frame whose body is not a protobuf RPC
      a.flood(s, frames, Attack.size(10, 100));
      // and a frame declaring 4 GiB: the stream is reset, the connection stays
      MuxedStream s2 = a.open("/meshsub/1.2.0");
      a.write(s2, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, false);
      victim.assertServesHonestPeers();
    }
  }
}
