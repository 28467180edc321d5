package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.types.Direction;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The peer policy's decisions on a fake peer table, in virtual time (nanoseconds). */
class PeerPolicyTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long S = 1_000_000_000L;

  /** A fake table: connected peers with a direction, static flags and scores. */
  private static final class Table implements PeerPolicy.View {
    final Map<PeerId, Direction> peers = new LinkedHashMap<>();
    final Set<PeerId> statics = new HashSet<>();
    final Map<PeerId, Double> scores = new HashMap<>();

    @Override
    public Iterable<PeerId> peers() {
      return List.copyOf(peers.keySet());
    }

    @Override
    public int size() {
      return peers.size();
    }

    @Override
    public Direction direction(PeerId peer) {
      return peers.get(peer);
    }

    @Override
    public boolean isStatic(PeerId peer) {
      return statics.contains(peer);
    }

    @Override
    public double score(PeerId peer) {
      return scores.getOrDefault(peer, 0.0);
    }
  }

  private final Table table = new Table();
  private long now = 1_000 * S;

  private static PeerId peer() {
    return PeerId.fromPublicKey(Secp256k1PrivateKey.generate(RANDOM).publicKey());
  }

  private PeerPolicy policy(PeerPolicyConfig cfg, int maxPeers) {
    return new PeerPolicy(cfg, maxPeers, -80, table);
  }

  /** Admits and, when accepted, connects (evicting as told). */
  private PeerPolicy.Verdict arrive(PeerPolicy p, PeerId id, Direction dir) {
    PeerPolicy.Verdict v = p.admit(id, dir, table.isStatic(id), now);
    if (v.kind() == PeerPolicy.Verdict.Kind.EVICT) {
      table.peers.remove(v.evict());
      p.disconnected(v.evict());
    }
    if (v.kind() != PeerPolicy.Verdict.Kind.REFUSE) {
      table.peers.put(id, dir);
      p.connected(id, now);
    }
    now += S / 100;
    return v;
  }

  @Test
  void inboundPeersTakeAtMostTheirShareAndOurDialsTheRest() {
    PeerPolicy p = policy(PeerPolicyConfig.defaults().withEvictForNewcomers(false), 8);
    assertThat(p.maxInbound()).isEqualTo(6);
    for (int i = 0; i < 6; i++) {
      PeerId id = peer();
      assertThat(arrive(p, id, Direction.INBOUND)).isEqualTo(PeerPolicy.Verdict.ACCEPT);
      p.spoke(id);
    }
    PeerPolicy.Verdict v = arrive(p, peer(), Direction.INBOUND);
    assertThat(v.kind()).isEqualTo(PeerPolicy.Verdict.Kind.REFUSE);
    assertThat(v.reason()).contains("inbound peers (6 of max peers 8)");
    assertThat(arrive(p, peer(), Direction.OUTBOUND)).isEqualTo(PeerPolicy.Verdict.ACCEPT);
    assertThat(arrive(p, peer(), Direction.OUTBOUND)).isEqualTo(PeerPolicy.Verdict.ACCEPT);
    assertThat(p.counters().refused()).containsEntry(PeerPolicy.Reason.FULL, 1L);
  }

  @Test
  void ourDialsAndStaticPeersFindRoomInAFullTable() {
    PeerPolicy p = policy(PeerPolicyConfig.defaults(), 4);
    PeerId first = null;
    for (int i = 0; i < 4; i++) {
      PeerId id = peer();
      arrive(p, id, i < 3 ? Direction.INBOUND : Direction.OUTBOUND);
      p.spoke(id);
      table.scores.put(id, (double) i);
      if (i == 0) {
        first = id;
      }
    }
    PeerPolicy.Verdict dial = arrive(p, peer(), Direction.OUTBOUND);
    assertThat(dial.kind()).isEqualTo(PeerPolicy.Verdict.Kind.EVICT);
    assertThat(dial.evict()).as("the lowest-scored inbound peer").isEqualTo(first);
    PeerId bootnode = peer();
    table.statics.add(bootnode);
    assertThat(arrive(p, bootnode, Direction.INBOUND).kind()).isEqualTo(PeerPolicy.Verdict.Kind.EVICT);
    assertThat(table.peers).containsKey(bootnode).hasSize(4);
    assertThat(p.counters().evicted()).containsEntry(PeerPolicy.Reason.FOR_OUTBOUND_OR_STATIC, 2L);
  }

  @Test
  void aPeerToldToLeaveIsNeverPickedTwiceNorCountedWhileItsCloseIsUnderWay() {
    PeerPolicy p = policy(PeerPolicyConfig.defaults().withSilentGrace(Duration.ofSeconds(5)), 4);
    PeerId[] sybils = new PeerId[3];
    for (int i = 0; i < 3; i++) {
      sybils[i] = peer();
      arrive(p, sybils[i], Direction.INBOUND);
    }
    // newcomers arrive faster than the evicted peers' connections close: the table still lists them
    java.util.Set<PeerId> evicted = new java.util.HashSet<>();
    for (int i = 0; i < 3; i++) {
      PeerId newcomer = peer();
      PeerPolicy.Verdict v = p.admit(newcomer, Direction.INBOUND, false, now);
      assertThat(v.kind()).isEqualTo(PeerPolicy.Verdict.Kind.EVICT);
      assertThat(evicted.add(v.evict())).as("a different peer each time").isTrue();
      table.peers.put(newcomer, Direction.INBOUND);
      p.connected(newcomer, now);
      p.spoke(newcomer);
      now += S / 100;
    }
    assertThat(evicted).containsExactlyInAnyOrder(sybils);
    // the silence tick (past the 5 s grace) does not count them again
    now += 6 * S;
    assertThat(p.tick(now)).isEmpty();
    // nobody left to evict (the newcomers spoke, the leaving ones are leaving): the next is refused
    assertThat(p.admit(peer(), Direction.INBOUND, false, now).kind()).isEqualTo(PeerPolicy.Verdict.Kind.REFUSE);
    // a close that never comes: after 10 s the peer counts again (and is silent, so it goes)
    now += 5 * S;
    p.tick(now);
    assertThat(p.tick(now + S)).extracting(PeerPolicy.Disconnect::peer).containsExactlyInAnyOrder(sybils);
  }

  @Test
  void aNewcomerTakesThePlaceOfTheLongestSilentInboundPeer() {
    PeerPolicy p = policy(PeerPolicyConfig.defaults(), 4);
    PeerId[] sybils = new PeerId[3];
    for (int i = 0; i < 3; i++) {
      sybils[i] = peer();
      arrive(p, sybils[i], Direction.INBOUND); // and never a word
    }
    PeerId honest = peer();
    PeerPolicy.Verdict v = arrive(p, honest, Direction.INBOUND);
    assertThat(v.kind()).isEqualTo(PeerPolicy.Verdict.Kind.EVICT);
    assertThat(v.evict()).isEqualTo(sybils[0]);
    p.spoke(honest); // an honest peer speaks at once
    // every further sybil replaces a silent one, never the honest peer
    for (int i = 0; i < 20; i++) {
      PeerPolicy.Verdict s = arrive(p, peer(), Direction.INBOUND);
      assertThat(s.kind()).isEqualTo(PeerPolicy.Verdict.Kind.EVICT);
      assertThat(s.evict()).isNotEqualTo(honest);
    }
    assertThat(table.peers).containsKey(honest);
  }

  @Test
  void whenEveryoneSpokeOnlyANegativeScoreMakesRoom() {
    PeerPolicy p = policy(PeerPolicyConfig.defaults(), 3);
    PeerId bad = null;
    for (int i = 0; i < 3; i++) {
      PeerId id = peer();
      arrive(p, id, Direction.INBOUND);
      p.spoke(id);
      if (i == 1) {
        bad = id;
        table.scores.put(id, -5.0);
      }
    }
    PeerId newcomer = peer();
    PeerPolicy.Verdict v = arrive(p, newcomer, Direction.INBOUND);
    assertThat(v.kind()).isEqualTo(PeerPolicy.Verdict.Kind.EVICT);
    assertThat(v.evict()).isEqualTo(bad);
    p.spoke(newcomer);
    assertThat(arrive(p, peer(), Direction.INBOUND).kind()).as("nobody below 0 left").isEqualTo(PeerPolicy.Verdict.Kind.REFUSE);
  }

  @Test
  void silentPeersAreDisconnectedAfterTheGraceAndStaticOnesNever() {
    PeerPolicy p = policy(PeerPolicyConfig.defaults().withSilentGrace(Duration.ofSeconds(30)), 10);
    PeerId silent = peer();
    PeerId talker = peer();
    PeerId bootnode = peer();
    table.statics.add(bootnode);
    arrive(p, silent, Direction.INBOUND);
    arrive(p, talker, Direction.INBOUND);
    arrive(p, bootnode, Direction.OUTBOUND);
    p.spoke(talker);
    now += 29 * S;
    assertThat(p.tick(now)).isEmpty();
    now += S;
    List<PeerPolicy.Disconnect> d = p.tick(now);
    assertThat(d).extracting(PeerPolicy.Disconnect::peer).containsExactly(silent);
    assertThat(d.get(0).reason()).contains("silent");
    assertThat(p.counters().evicted()).containsEntry(PeerPolicy.Reason.SILENT, 1L);
  }

  @Test
  void graylistedPeersAreDisconnectedAndKeptOutForTheBackoff() {
    PeerPolicy p = policy(PeerPolicyConfig.defaults().withGraylistBackoff(Duration.ofMinutes(10)), 10);
    PeerId bad = peer();
    PeerId bootnode = peer();
    table.statics.add(bootnode);
    arrive(p, bad, Direction.INBOUND);
    arrive(p, bootnode, Direction.OUTBOUND);
    p.spoke(bad);
    p.spoke(bootnode);
    table.scores.put(bad, -100.0);
    table.scores.put(bootnode, -100.0);
    List<PeerPolicy.Disconnect> d = p.tick(now);
    assertThat(d).extracting(PeerPolicy.Disconnect::peer).containsExactly(bad);
    assertThat(d.get(0).reason()).contains("graylisted").contains("-100");
    table.peers.remove(bad);
    p.disconnected(bad);
    PeerPolicy.Verdict again = p.admit(bad, Direction.INBOUND, false, now + 60 * S);
    assertThat(again.kind()).isEqualTo(PeerPolicy.Verdict.Kind.REFUSE);
    assertThat(again.reason()).contains("graylisted");
    assertThat(p.admit(bad, Direction.OUTBOUND, false, now + 60 * S).kind()).as("our dials too")
        .isEqualTo(PeerPolicy.Verdict.Kind.REFUSE);
    assertThat(p.counters().banned()).isEqualTo(1);
    assertThat(p.admit(bad, Direction.INBOUND, false, now + 601 * S)).as("after the backoff")
        .isEqualTo(PeerPolicy.Verdict.ACCEPT);
  }

  @Test
  void theBanListIsBounded() {
    PeerPolicy p = policy(new PeerPolicyConfig(0.75, Duration.ZERO, true, Duration.ofMinutes(10), 3), 100);
    for (int i = 0; i < 10; i++) {
      PeerId id = peer();
      arrive(p, id, Direction.INBOUND);
      table.scores.put(id, -100.0);
    }
    p.tick(now);
    assertThat(p.counters().banned()).isEqualTo(3);
  }
}
