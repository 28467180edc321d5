package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;
import io.leanp2p.config.QuicConfig;
import io.leanp2p.config.TcpConfig;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The topology lean devnets use (issue #13): every node is given every other node as a bootnode
 * and all start together, so every pair dials each other at the same moment. Each node asks every
 * peer for its status and pings it the moment it hears {@code PeerConnected}; then every node
 * publishes. Repeated 10 times per transport.
 */
@Timeout(600)
class TopologyTest {
  static final int NODES = 8;
  static final int ROUNDS = Integer.getInteger("topology.rounds", 10);
  static final Duration T = Duration.ofSeconds(60);
  static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";

  /** One node of a round and what it saw. */
  static final class Member {
    final PrivateKey key = Secp256k1PrivateKey.generate(new SecureRandom());
    final PeerId id = PeerId.fromPublicKey(key.publicKey());
    final EventRecorder events = new EventRecorder();
    final Set<Long> requests = ConcurrentHashMap.newKeySet();
    final AtomicInteger refusedAtCall = new AtomicInteger();
    final List<String> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile LeanNetwork net;
    int port;
    String addr;
  }

  @ParameterizedTest
  @ValueSource(strings = {"quic", "tcp"})
  void eightNodesGivenEachOtherAsBootnodesStartedTogether(String transport) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      runRound(transport, round);
    }
  }

  private void runRound(String transport, int round) throws Exception {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      members.add(new Member());
    }
    reservePorts(members, transport);
    for (Member m : members) {
      m.events.also(e -> react(m, e));
    }
    List<Thread> starters = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int i = 0; i < NODES; i++) {
      Member m = members.get(i);
      List<String> bootnodes = new ArrayList<>();
      for (Member other : members) {
        if (other != m) {
          bootnodes.add(other.addr);
        }
      }
      NetworkConfig cfg = NetworkConfig.builder()
          .name(transport + "-r" + round + "-n" + i)
          .identity(m.key)
          .listen(listen(transport, m.port))
          .bootnodes(bootnodes)
          .reconnect(new ReconnectPolicy(List.of(Duration.ofMillis(200), Duration.ofMillis(400)), 20))
          .duplicateGrace(Duration.ofMillis(500))
          // generous: a loaded 2-core machine handshakes 56 connections at once
          .dialTimeout(T)
          .quic(QuicConfig.defaults().withHandshakeTimeout(T))
          .tcp(TcpConfig.defaults().withUpgradeTimeout(T))
          .reqresp(ReqRespConfig.leanDefaults().withOpaqueStatus(true).withRequestTimeout(T))
          .build();
      Thread t = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        m.net = LeanNetwork.start(cfg, m.events);
      });
      starters.add(t);
      t.start();
    }
    go.countDown(); // all together
    for (Thread t : starters) {
      t.join();
    }
    try {
      for (Member m : members) {
        m.net.awaitReady(T);
        assertThat(m.net.subscribe(TOPIC)).isEqualTo(Outcome.ACCEPTED);
      }
      String what = transport + " round " + round;
      for (Member m : members) {
        // every peer connected, and our status request to it and our ping answered
        m.events.awaitCount(NetworkEvent.PeerConnected.class, e -> true, NODES - 1, T);
        m.events.awaitCount(NetworkEvent.EndOfStream.class, e -> m.requests.contains(e.requestId()), NODES - 1, T);
        m.events.awaitCount(NetworkEvent.PingResult.class, NetworkEvent.PingResult::ok, NODES - 1, T);
        awaitGossipReady(m);
      }
      for (Member m : members) {
        assertThat(m.net.publish(TOPIC, ("from " + m.id).getBytes(StandardCharsets.UTF_8))).isEqualTo(Outcome.ACCEPTED);
      }
      for (Member m : members) {
        List<NetworkEvent.GossipMessage> got =
            m.events.awaitCount(NetworkEvent.GossipMessage.class, e -> true, NODES - 1, T);
        Set<String> senders = new HashSet<>();
        for (NetworkEvent.GossipMessage g : got) {
          senders.add(new String(g.data(), StandardCharsets.UTF_8));
        }
        Set<String> expected = new HashSet<>();
        for (Member other : members) {
          if (other != m) {
            expected.add("from " + other.id);
          }
        }
        assertThat(senders).as(what).isEqualTo(expected);
      }
      for (Member m : members) {
        awaitOneConnectionPerPeer(m, what);
        Set<PeerId> connected = new HashSet<>();
        for (NetworkEvent.PeerConnected c : m.events.all(NetworkEvent.PeerConnected.class)) {
          assertThat(connected.add(c.peer())).as(what + ": one PeerConnected per peer").isTrue();
        }
        assertThat(m.events.all(NetworkEvent.PeerDisconnected.class)).as(what).isEmpty();
        assertThat(m.events.all(NetworkEvent.RequestFailed.class)).as(what + ": no request failed").isEmpty();
        assertThat(m.refusedAtCall.get()).as(what + ": no request refused (NOT_CONNECTED) at the call").isZero();
        assertThat(m.events.all(NetworkEvent.PingResult.class)).as(what).allMatch(NetworkEvent.PingResult::ok);
      }
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + diagnose(members), e);
    } finally {
      closeAll(members);
    }
  }

  /** What every node sees, for a failure message. */
  private static String diagnose(List<Member> members) {
    StringBuilder sb = new StringBuilder();
    for (Member m : members) {
      if (m.net == null) {
        continue;
      }
      NetworkSnapshot snap = m.net.snapshot();
      var metrics = m.net.metrics();
      Set<Long> open = new HashSet<>(m.requests);
      for (NetworkEvent e : m.events.events()) {
        if (e instanceof NetworkEvent.EndOfStream x) {
          open.remove(x.requestId());
        } else if (e instanceof NetworkEvent.RequestFailed f) {
          open.remove(f.requestId());
        }
      }
      sb.append(m.id).append(": peers ").append(snap.peers().size())
          .append(", live/draining ").append(metrics.value("leanp2p_connections", Map.of("state", "live")))
          .append('/').append(metrics.value("leanp2p_connections", Map.of("state", "draining")))
          .append(", mesh ").append(snap.meshPeers().getOrDefault(TOPIC, List.of()).size())
          .append(", subscribed peers ").append(snap.topicPeers().getOrDefault(TOPIC, List.of()).size())
          .append(", requests open ").append(open).append(" refused ").append(m.refusals)
          .append(", rpcs from unknown peers ").append(metrics.value("leanp2p_gossipsub_rpcs_from_unknown_peer_total", Map.of()))
          .append('\n');
      for (NetworkEvent e : m.events.events()) {
        if (e instanceof NetworkEvent.RequestFailed || e instanceof NetworkEvent.PeerDisconnected
            || e instanceof NetworkEvent.ConnectionFailed || (e instanceof NetworkEvent.PingResult p && !p.ok())
            || (e instanceof NetworkEvent.MeshChange c && !c.grafted())) {
          sb.append("    ").append(e).append('\n');
        }
      }
    }
    return sb.toString();
  }

  /** The host: ask every new peer for its status and ping it at once; echo status; accept gossip. */
  private static void react(Member m, NetworkEvent e) {
    LeanNetwork net = m.net;
    switch (e) {
      case NetworkEvent.PeerConnected c -> {
        RequestHandle h = net.sendRequest(c.peer(), LeanProtocol.STATUS, m.id.toBytes());
        if (h.isAccepted()) {
          m.requests.add(h.requestId());
        } else {
          m.refusedAtCall.incrementAndGet();
          m.refusals.add(h.outcome() + " for " + c.peer() + " snapshot version " + m.net.snapshot().peers().size());
        }
        net.ping(c.peer());
      }
      case NetworkEvent.InboundRequest r -> {
        net.sendResponseChunk(r.channelId(), r.data());
        net.endResponse(r.channelId());
      }
      case NetworkEvent.GossipMessage g -> net.reportValidation(g.messageId(), Validation.ACCEPT);
      default -> {}
    }
  }

  /**
   * Every peer's subscription known and a mesh formed (gossipsub does not promise a full mesh: at
   * Dlo it stops grafting; messages reach the rest by forwarding and IHAVE / IWANT).
   */
  private static void awaitGossipReady(Member m) throws InterruptedException {
    m.events.awaitCount(NetworkEvent.PeerSubscription.class, e -> e.subscribed(), NODES - 1, T);
    m.events.await(NetworkEvent.MeshChange.class, NetworkEvent.MeshChange::grafted, T);
    NetworkSnapshot snap = m.net.snapshot(); // shows at least what those events said
    assertThat(snap.topicPeers().get(TOPIC)).hasSize(NODES - 1);
    assertThat(snap.meshPeers().get(TOPIC)).isNotEmpty();
  }

  /** Each pair ends with exactly one connection: the duplicates drained and closed. */
  private static void awaitOneConnectionPerPeer(Member m, String what) throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    while (System.nanoTime() < deadline) {
      var metrics = m.net.metrics();
      if (metrics.value("leanp2p_connections", Map.of("state", "draining")) == 0
          && metrics.value("leanp2p_connections", Map.of("state", "live")) == NODES - 1) {
        return;
      }
      Thread.sleep(50); // polling the metrics the loop publishes every second, bounded by the deadline
    }
    throw new AssertionError(what + ": " + m.id + " does not end with one connection per peer: "
        + m.net.metrics().value("leanp2p_connections", Map.of("state", "live")) + " live, "
        + m.net.metrics().value("leanp2p_connections", Map.of("state", "draining")) + " draining");
  }

  private static void closeAll(List<Member> members) throws InterruptedException {
    List<Thread> closers = new ArrayList<>();
    for (Member m : members) {
      if (m.net != null) {
        Thread t = new Thread(m.net::close);
        closers.add(t);
        t.start();
      }
    }
    for (Thread t : closers) {
      t.join(TimeUnit.SECONDS.toMillis(60));
    }
  }

  private static String listen(String transport, int port) {
    return transport.equals("tcp") ? "/ip4/127.0.0.1/tcp/" + port : "/ip4/127.0.0.1/udp/" + port + "/quic-v1";
  }

  /**
   * Bootnodes must be known before the nodes start, so the ports are taken from the OS (port 0)
   * first, held until all are known, and released just before the start.
   */
  private static void reservePorts(List<Member> members, String transport) throws IOException {
    List<AutoCloseable> held = new ArrayList<>();
    try {
      for (Member m : members) {
        if (transport.equals("tcp")) {
          ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          held.add(s);
          m.port = s.getLocalPort();
        } else {
          DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
          held.add(s);
          m.port = s.getLocalPort();
        }
        m.addr = listen(transport, m.port) + "/p2p/" + m.id;
      }
    } finally {
      for (AutoCloseable s : held) {
        try {
          s.close();
        } catch (Exception e) {
          // released anyway
        }
      }
    }
  }
}
