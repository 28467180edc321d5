package io.leanp2p.protocol.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.config.GossipConfig;

/**
 * Deterministic single-threaded simulations of 100+ routers under virtual time: full delivery,
 * mesh bounds, recovery by IHAVE/IWANT over lossy links, graylisting of a peer whose messages
 * hosts REJECT, and reproducibility from the seed.
 */
class GossipSimulationTest {
  private static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  private static final int NODES = 100;

  private static SimNetwork build(long seed, double lossy) {
    return build(seed, lossy, GossipConfig.DEFAULT);
  }

  private static SimNetwork build(long seed, double lossy, GossipConfig config) {
    SimNetwork net = new SimNetwork(seed);
    for (int i = 0; i < NODES; i++) {
      net.addNode(config);
    }
    net.connectRandom(8);
    if (lossy > 0) {
      net.makeLossy(lossy);
    }
    net.startAll();
    for (SimNetwork.Node n : net.nodes) {
      n.router.subscribe(TOPIC);
    }
    net.runMillis(5_000);
    return net;
  }

  private static byte[] payload(Random rnd, int i, int size) {
    byte[] ssz = new byte[size];
    rnd.nextBytes(ssz);
    ssz[0] = (byte) i;
    return SnappyBlock.compress(ssz);
  }

  /** Publishes {@code count} messages from random nodes; returns their ids. */
  private static List<String> publish(SimNetwork net, int count, long seed) {
    Random rnd = new Random(seed);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SimNetwork.Node from = net.nodes.get(rnd.nextInt(net.nodes.size()));
      PublishResult r = from.router.publish(TOPIC, payload(rnd, i, i % 3 == 0 ? 2048 : 200));
      assertThat(r.accepted()).isTrue();
      ids.add(Hex.encode(r.messageId()));
      from.received.put(Hex.encode(r.messageId()), null); // the publisher has it
      net.runMillis(150);
    }
    net.runMillis(6_000);
    return ids;
  }

  private static void assertAllDelivered(SimNetwork net, List<String> ids) {
    for (SimNetwork.Node n : net.nodes) {
      assertThat(n.received.keySet()).as("node " + n.index).containsAll(ids);
    }
  }

  @Test
  @Timeout(60)
  void everyMessageReachesEverySubscriberAndMeshesStayWithinBounds() {
    SimNetwork net = build(42, 0);
    List<String> ids = publish(net, 30, 7);
    assertAllDelivered(net, ids);
    GossipConfig cfg = GossipConfig.DEFAULT;
    long duplicates = 0;
    long idontwantSkipped = 0;
    for (SimNetwork.Node n : net.nodes) {
      GossipSnapshot s = n.router.snapshot();
      assertThat(s.mesh(TOPIC).size()).as("mesh of node " + n.index)
          .isBetween(cfg.dLow(), cfg.dHigh());
      duplicates += s.counters().messagesDuplicate();
      idontwantSkipped += s.counters().idontwantSkipped();
      assertThat(s.counters().messagesDroppedSignedFields()).isZero();
    }
    // IDONTWANT is at work for the >= 1024-byte messages
    assertThat(idontwantSkipped).isPositive();
    assertThat(duplicates).isPositive();
  }

  @Test
  @Timeout(60)
  void lossyLinksAreHealedByIHaveIWant() {
    // without flood publishing: the publisher's first hop is the mesh, so lost copies must be
    // recovered by gossip rather than by the flood
    SimNetwork net = build(4242, 0.2, GossipConfig.DEFAULT.withFloodPublish(false));
    assertThat(net.lossyLinks).isNotEmpty();
    List<String> ids = publish(net, 30, 9);
    assertAllDelivered(net, ids);
    assertThat(net.publishDroppedByLossyLinks).isPositive();
    long served = 0;
    for (SimNetwork.Node n : net.nodes) {
      served += n.router.snapshot().counters().iwantServed();
    }
    assertThat(served).as("IWANT answers").isPositive();
  }

  @Test
  @Timeout(60)
  void peerSendingInvalidMessagesIsGraylistedAndPruned() {
    SimNetwork net = new SimNetwork(99);
    for (int i = 0; i < NODES; i++) {
      net.addNode(GossipConfig.DEFAULT);
    }
    // the attacker floods its messages to every subscribed neighbour
    SimNetwork.Node attacker = net.addNode(GossipConfig.DEFAULT.withFloodPublish(true));
    net.connectRandom(8);
    for (int i = 0; i < 12; i++) {
      net.connect(attacker, net.nodes.get(i * 7));
    }
    net.isValid = m -> m.data() == null || m.data()[0] != (byte) 0xEE;
    net.startAll();
    for (SimNetwork.Node n : net.nodes) {
      n.router.subscribe(TOPIC);
    }
    net.runMillis(5_000);
    Random rnd = new Random(5);
    for (int i = 0; i < 20; i++) {
      byte[] bad = new byte[100];
      rnd.nextBytes(bad);
      bad[0] = (byte) 0xEE;
      attacker.router.publish(TOPIC, SnappyBlock.compress(bad));
      net.runMillis(100);
    }
    net.runMillis(3_000);
    double graylist = GossipConfig.DEFAULT.score().graylistThreshold();
    for (int nb : attacker.neighbours) {
      GossipSnapshot s = net.nodes.get(nb).router.snapshot();
      assertThat(s.score(attacker.id)).as("attacker's score at node " + nb).isLessThan(graylist);
      assertThat(s.mesh(TOPIC)).as("mesh of node " + nb).doesNotContain(attacker.id);
    }
    // further RPCs from the attacker are ignored as a whole
    for (int i = 0; i < 3; i++) {
      byte[] bad = new byte[100];
      rnd.nextBytes(bad);
      bad[0] = (byte) 0xEE;
      attacker.router.publish(TOPIC, SnappyBlock.compress(bad));
    }
    net.runMillis(1_000);
    long graylisted = 0;
    for (int nb : attacker.neighbours) {
      graylisted += net.nodes.get(nb).router.snapshot().counters().rpcsGraylisted();
    }
    assertThat(graylisted).isPositive();
    // honest traffic still flows everywhere
    net.nodes.remove(attacker);
    List<String> ids = publish(net, 5, 11);
    assertAllDelivered(net, ids);
  }

  @Test
  @Timeout(60)
  void sameSeedSameRun() {
    String first = fingerprint(77);
    assertThat(fingerprint(77)).isEqualTo(first);
    assertThat(fingerprint(78)).isNotEqualTo(first);
  }

  private static String fingerprint(long seed) {
    SimNetwork net = build(seed, 0.1);
    publish(net, 5, seed);
    StringBuilder sb = new StringBuilder();
    sb.append(net.rpcsDelivered).append('|');
    for (SimNetwork.Node n : net.nodes) {
      GossipSnapshot s = n.router.snapshot();
      sb.append(s.mesh(TOPIC).stream().map(Object::toString).sorted().toList()).append(s.counters()).append('\n');
    }
    return sb.toString();
  }
}
