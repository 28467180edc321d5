package io.leanp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.Outcome;
import io.leanp2p.types.Validation;
import io.leanp2p.config.GossipConfig;
import io.leanp2p.peerclient.PeerClient;
import io.leanp2p.testing.JsPeer;
import io.leanp2p.util.Hex;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #13: a publish right after a peer connected and its subscription arrived must reach it,
 * although the mesh has not formed yet (it forms at the next heartbeat). 20 rounds per transport,
 * each on a fresh connection: dial, wait for {@code PeerConnected} and the peer's {@code
 * PeerSubscription}, publish at once a block-sized message (above the flood-publish size, so it
 * takes the mesh path, topped up to D), require that the publish itself went to the peer (its
 * {@code PublishCompleted} recipients) and that the peer received it; then disconnect. Against a
 * js-libp2p peer and against another lean-p2p node, over TCP and QUIC.
 */
@Timeout(300)
class PublishOnConnectTest {
  private static final Duration T = Duration.ofSeconds(30);
  private static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  private static final int ROUNDS = 20;
  /** Above the flood-publish size after compression: the mesh (topped up) path. */
  private static final int SIZE = GossipConfig.DEFAULT_FLOOD_PUBLISH_MAX_BYTES + 4096;

  private static String listen(String transport) {
    return transport.equals("tcp") ? "/ip4/127.0.0.1/tcp/0" : "/ip4/127.0.0.1/udp/0/quic-v1";
  }

  /** A network's events in arrival order; {@link #await} consumes the oldest matching one. */
  private static final class Events {
    private final List<NetworkEvent> events = new ArrayList<>();
    private final java.util.BitSet consumed = new java.util.BitSet();

    synchronized void add(NetworkEvent e) {
      events.add(e);
      notifyAll();
    }

    synchronized <E extends NetworkEvent> E await(Class<E> type, Predicate<E> p, Duration timeout)
        throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        E e = take(type, p);
        if (e != null) {
          return e;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + type.getSimpleName() + " event within " + timeout + "; have " + events);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    /** The oldest unconsumed event of {@code type} matching {@code p}, consumed; null if none yet. */
    @SuppressWarnings("unchecked")
    synchronized <E extends NetworkEvent> E take(Class<E> type, Predicate<E> p) {
      for (int i = consumed.nextClearBit(0); i < events.size(); i = consumed.nextClearBit(i + 1)) {
        NetworkEvent e = events.get(i);
        if (type.isInstance(e) && p.test((E) e)) {
          consumed.set(i);
          return (E) e;
        }
      }
      return null;
    }
  }

  private static LeanNetwork start(String name, String transport, Events events) throws Exception {
    LeanNetwork[] self = new LeanNetwork[1];
    LeanNetwork net = LeanNetwork.start(NetworkConfig.builder().name(name).listen(listen(transport)).publishEvents(true).build(), e -> {
      if (e instanceof NetworkEvent.GossipMessage m) {
        self[0].reportValidation(m.messageId(), Validation.ACCEPT);
      }
      events.add(e);
    });
    self[0] = net;
    net.awaitReady(T);
    assertThat(net.subscribe(TOPIC)).isEqualTo(Outcome.ACCEPTED);
    return net;
  }

  private static byte[] ssz(Random random) {
    byte[] b = new byte[SIZE];
    random.nextBytes(b);
    return b;
  }

  /** Waits for the connection and the peer's subscription, as a host would before publishing. */
  private static void awaitConnectedAndSubscribed(Events events, PeerId peer) throws InterruptedException {
    events.await(NetworkEvent.PeerConnected.class, c -> c.peer().equals(peer), T);
    events.await(NetworkEvent.PeerSubscription.class,
        s -> s.peer().equals(peer) && s.topic().equals(TOPIC) && s.subscribed(), T);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "quic"})
  void aPublishRightAfterConnectAndSubscriptionReachesAJsPeer(String transport) throws Exception {
    JsPeer.assumeAvailable();
    Events events = new Events();
    Random random = new Random(transport.hashCode());
    int publishedBeforeAnyGraft = 0;
    try (PeerClient js = JsPeer.start((transport.equals("tcp") ? JsPeer.Options.defaults().withQuicPort("off")
            : JsPeer.Options.defaults().withTcpPort("off")).withTopics(TOPIC))) {
      PeerId jsId = PeerId.fromBase58(js.peerId());
      LeanNetwork net = start("pub-js-" + transport, transport, events);
      try {
        for (int round = 0; round < ROUNDS; round++) {
          assertThat(net.dial(transport.equals("tcp") ? js.tcpAddr() : js.quicAddr())).isEqualTo(Outcome.ACCEPTED);
          awaitConnectedAndSubscribed(events, jsId);
          boolean grafted = events.take(NetworkEvent.MeshChange.class, m -> m.peer().equals(jsId) && m.grafted()) != null;
          byte[] wire = SnappyBlock.compress(ssz(random));
          assertThat(net.publishRaw(TOPIC, wire)).isEqualTo(Outcome.ACCEPTED);
          if (!grafted) {
            publishedBeforeAnyGraft++;
          }
          // the publish itself went to js (not a later IHAVE / IWANT round trip)
          assertThat(events.await(NetworkEvent.PublishCompleted.class, c -> true, T).recipients())
              .as("round %d", round).contains(jsId);
          String sha = Hex.encode(MessageDigest.getInstance("SHA-256").digest(wire));
          Map<String, Object> got = js.awaitEvent(PeerClient.event("message", "topic", TOPIC, "sha256", sha), T);
          assertThat(PeerClient.num(got, "len")).as("round %d", round).isEqualTo(wire.length);

          assertThat(net.disconnect(jsId)).isEqualTo(Outcome.ACCEPTED);
          events.await(NetworkEvent.PeerDisconnected.class, d -> d.peer().equals(jsId), T);
          js.awaitEvent(PeerClient.event("disconnected", "peer", net.localPeerId().toBase58()), T);
          // forget this round's mesh events: the next round starts on a fresh connection
          while (events.take(NetworkEvent.MeshChange.class, m -> m.peer().equals(jsId)) != null) {
            // consumed
          }
        }
      } finally {
        net.close();
      }
    }
    // the point of the test: in (practically) every round the publish came before the mesh
    assertThat(publishedBeforeAnyGraft).as("rounds published before js was grafted").isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "quic"})
  void aPublishRightAfterConnectAndSubscriptionReachesALeanP2pPeer(String transport) throws Exception {
    Events aEvents = new Events();
    Events bEvents = new Events();
    Random random = new Random(transport.hashCode() + 1);
    int publishedBeforeAnyGraft = 0;
    LeanNetwork a = start("pub-a-" + transport, transport, aEvents);
    LeanNetwork b = start("pub-b-" + transport, transport, bEvents);
    try {
      String bAddr = b.awaitReady(T).get(0) + "/p2p/" + b.localPeerId().toBase58();
      for (int round = 0; round < ROUNDS; round++) {
        assertThat(a.dial(bAddr)).isEqualTo(Outcome.ACCEPTED);
        awaitConnectedAndSubscribed(aEvents, b.localPeerId());
        boolean grafted = aEvents.take(NetworkEvent.MeshChange.class,
            m -> m.peer().equals(b.localPeerId()) && m.grafted()) != null;
        byte[] data = ssz(random);
        assertThat(a.publish(TOPIC, data)).isEqualTo(Outcome.ACCEPTED);
        if (!grafted) {
          publishedBeforeAnyGraft++;
        }
        // the publish itself went to b (not a later IHAVE / IWANT round trip)
        assertThat(aEvents.await(NetworkEvent.PublishCompleted.class, c -> true, T).recipients())
            .as("round %d", round).contains(b.localPeerId());
        NetworkEvent.GossipMessage got = bEvents.await(NetworkEvent.GossipMessage.class,
            m -> m.topic().equals(TOPIC) && Arrays.equals(m.data(), data), T);
        assertThat(got.from()).as("round %d", round).isEqualTo(a.localPeerId());

        assertThat(a.disconnect(b.localPeerId())).isEqualTo(Outcome.ACCEPTED);
        aEvents.await(NetworkEvent.PeerDisconnected.class, d -> d.peer().equals(b.localPeerId()), T);
        bEvents.await(NetworkEvent.PeerDisconnected.class, d -> d.peer().equals(a.localPeerId()), T);
        while (aEvents.take(NetworkEvent.MeshChange.class, m -> m.peer().equals(b.localPeerId())) != null) {
          // consumed
        }
      }
    } finally {
      a.close();
      b.close();
    }
    assertThat(publishedBeforeAnyGraft).as("rounds published before the peer was grafted").isPositive();
  }
}
