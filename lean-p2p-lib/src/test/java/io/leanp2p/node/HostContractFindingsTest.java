package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.KeyType;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.PublicKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.types.RequestError;
import io.leanp2p.types.CloseReason;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.leanp2p.testing.Networks;
import org.junit.jupiter.api.Timeout;

/** The review findings on the host contract (issue #13, item 6), one test each. */
@Timeout(180)
class HostContractFindingsTest {
  static final Duration T = Duration.ofSeconds(30);
  static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  @RegisterExtension final Networks nets = new Networks();

  @Test
  void connectionFailedCountsTheAttemptsAndTheLastOneSaysItWillNotRetry() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String dead = "/ip4/127.0.0.1/tcp/" + closedPort + "/p2p/"
        + io.leanp2p.crypto.PeerId.fromPublicKey(Secp256k1PrivateKey.generate(new SecureRandom()).publicKey());
    EventRecorder r = new EventRecorder();
    nets.start(NetworkConfig.builder().name("attempts").listen("/ip4/127.0.0.1/tcp/0").bootnodes(List.of(dead))
        .reconnect(new ReconnectPolicy(List.of(Duration.ofMillis(50)), 2)), r);
    r.await(NetworkEvent.DialGaveUp.class, T);
    List<NetworkEvent.ConnectionFailed> failed = r.all(NetworkEvent.ConnectionFailed.class);
    assertThat(failed).extracting(NetworkEvent.ConnectionFailed::attempt).containsExactly(1, 2, 3);
    assertThat(failed).extracting(NetworkEvent.ConnectionFailed::willRetry).containsExactly(true, true, false);
    assertThat(failed).allSatisfy(f -> assertThat(f.reason().kind()).isEqualTo(CloseReason.Kind.CONNECTION_REFUSED));
    assertThat(r.await(NetworkEvent.DialGaveUp.class, T).attempts()).isEqualTo(3);
  }

  @Test
  void aPublishOverTheLimitOnceCompressedIsRefusedTooLargeNotCountedAsADuplicate() throws Exception {
    EventRecorder r = new EventRecorder();
    LeanNetwork n = nets.start(Networks.quic("too-large").publishEvents(true), r);
    byte[] incompressible = new byte[NetworkConfig.MAX_PAYLOAD];
    new Random(3).nextBytes(incompressible);
    Outcome o = n.publish(TOPIC, incompressible);
    assertThat(o.kind()).isEqualTo(Outcome.Kind.TOO_LARGE);
    assertThat(o.reason()).contains("over the gossip limit");
    // a compressible payload of the same size fits once compressed, and a small one is fine
    assertThat(n.publish(TOPIC, new byte[NetworkConfig.MAX_PAYLOAD])).isEqualTo(Outcome.ACCEPTED);
    assertThat(n.publish(TOPIC, new byte[] {1, 2, 3})).isEqualTo(Outcome.ACCEPTED);
    r.awaitCount(NetworkEvent.PublishCompleted.class, p -> true, 2, T);
    assertThat(r.all(NetworkEvent.PublishCompleted.class)).noneMatch(NetworkEvent.PublishCompleted::duplicate);
    awaitMetric(n, "leanp2p_command_refusals_total", Map.of("reason", "too_large"), 1);
    assertThat(n.metrics().value("leanp2p_publish_duplicates_total", Map.of())).isZero();
  }

  @Test
  void commandsStillQueuedAtCloseEachGetAnOutcomeEvent() throws Exception {
    EventRecorder ra = new EventRecorder();
    EventRecorder rb = new EventRecorder();
    LeanNetwork a = nets.start(Networks.quic("queued-a").publishEvents(true), ra);
    LeanNetwork b = nets.start(Networks.quic("queued-b"), rb);
    LeanNetworkTest.connect(a, ra, b, rb);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    a.actor().execute(() -> { // hold a's loop: everything offered now stays queued
      holding.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    int pings = 0;
    int publishes = 0;
    int subscribes = 0;
    List<Long> requests = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      pings += a.ping(b.localPeerId()).isAccepted() ? 1 : 0;
      publishes += a.publish(TOPIC, ("queued " + i).getBytes()).isAccepted() ? 1 : 0;
      subscribes += a.subscribe("/leanconsensus/12345678/t" + i + "/ssz_snappy").isAccepted() ? 1 : 0;
    }
    RequestHandle h = a.sendRequest(b.localPeerId(), LeanProtocol.STATUS, new byte[80]);
    assertThat(h.isAccepted()).isTrue();
    requests.add(h.requestId());
    assertThat(a.dial(b.ready().get().get(0).toString())).isEqualTo(Outcome.ACCEPTED);
    Thread closer = new Thread(a::close);
    closer.start();
    Outcome o;
    while ((o = a.publish(TOPIC, new byte[] {9})).kind() != Outcome.Kind.CLOSED) {
      publishes += o.isAccepted() ? 1 : 0; // until close() has begun: nothing more is accepted
    }
    release.countDown();
    closer.join(60_000);
    assertThat(pings).isEqualTo(50);
    assertThat(ra.all(NetworkEvent.PingResult.class)).hasSize(pings)
        .allSatisfy(p -> assertThat(p.error()).isEqualTo("network closed"));
    assertThat(ra.all(NetworkEvent.CommandAbandoned.class)).filteredOn(c -> c.command().equals("publish"))
        .hasSize(publishes);
    assertThat(ra.all(NetworkEvent.CommandAbandoned.class)).filteredOn(c -> c.command().equals("subscribe"))
        .hasSize(subscribes);
    assertThat(ra.all(NetworkEvent.RequestFailed.class)).singleElement().satisfies(f -> {
      assertThat(f.requestId()).isEqualTo(requests.get(0));
      assertThat(f.error().kind()).isEqualTo(RequestError.Kind.CLOSED);
    });
    assertThat(ra.all(NetworkEvent.ConnectionFailed.class)).singleElement()
        .satisfies(f -> assertThat(f.reason().detail()).isEqualTo("network closed"));
  }

  @Test
  void thePeerEventQueueIsBoundedLikeTheOthersAndWhatItShedsIsCounted() throws Exception {
    EventRecorder ra = new EventRecorder();
    EventRecorder rb = new EventRecorder();
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    LeanNetwork a = nets.start(Networks.quic("bounded-a").peerEventQueueCapacity(4), ra.also(e -> {
      if (e instanceof NetworkEvent.PingResult) {
        blocked.countDown();
        try {
          release.await(30, TimeUnit.SECONDS); // a host that stops draining
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }));
    LeanNetwork b = nets.start(Networks.quic("bounded-b"), rb);
    LeanNetworkTest.connect(a, ra, b, rb);
    assertThat(a.ping(b.localPeerId())).isEqualTo(Outcome.ACCEPTED);
    assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 40; i++) {
      assertThat(a.ping(b.localPeerId())).isEqualTo(Outcome.ACCEPTED);
    }
    // every later ping's result is queued (at most the capacity) or shed (counted)
    long deadline = System.nanoTime() + T.toNanos();
    while (queuedPlusShed(a) < 40 && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling the metrics the loop publishes every second, bounded by the deadline
    }
    assertThat(queuedPlusShed(a)).isEqualTo(40);
    assertThat(a.metrics().value("leanp2p_event_queue_depth", Map.of("class", "peer"))).isLessThanOrEqualTo(4);
    long shed = (long) a.metrics().value("leanp2p_events_shed_total", Map.of("class", "peer"));
    assertThat(shed).isPositive();
    release.countDown();
    ra.awaitCount(NetworkEvent.PingResult.class, p -> true, 41 - (int) shed, T);
    assertThat(ra.all(NetworkEvent.PingResult.class).size() + shed).as("every ping delivered or counted").isEqualTo(41);
    assertThat(a.metrics().value("leanp2p_event_queue_capacity", Map.of("class", "response"))).isEqualTo(16384);
  }

  @Test
  void anUnusableIdentityKeyFailsTheStartWithReasonKey() {
    PrivateKey real = Secp256k1PrivateKey.generate(new SecureRandom());
    PrivateKey other = Secp256k1PrivateKey.generate(new SecureRandom());
    PrivateKey mismatched = new PrivateKey() { // signs with one key, claims another's public key
      @Override
      public KeyType type() {
        return real.type();
      }

      @Override
      public PublicKey publicKey() {
        return other.publicKey();
      }

      @Override
      public byte[] sign(byte[] data) {
        return real.sign(data);
      }

      @Override
      public byte[] raw() {
        return real.raw();
      }
    };
    PrivateKey broken = new PrivateKey() {
      @Override
      public KeyType type() {
        return KeyType.RSA;
      }

      @Override
      public PublicKey publicKey() {
        throw new UnsupportedOperationException("no RSA here");
      }

      @Override
      public byte[] sign(byte[] data) {
        throw new UnsupportedOperationException("no RSA here");
      }

      @Override
      public byte[] raw() {
        return new byte[0];
      }
    };
    for (PrivateKey bad : List.of(mismatched, broken)) {
      LeanNetwork n = LeanNetwork.start(Networks.quic("bad-key").identity(bad).build(), e -> {});
      nets.track(n);
      try {
        n.awaitReady(T);
        throw new AssertionError("start should fail");
      } catch (StartException e) {
        assertThat(e.reason()).isEqualTo(StartException.Reason.KEY);
      } catch (TimeoutException e) {
        throw new AssertionError(e);
      }
      assertThat(n.publish(TOPIC, new byte[] {1})).isEqualTo(Outcome.NOT_STARTED);
    }
  }

  @Test
  void aHostThatGotAPeerStateEventSeesItInTheSnapshotAtOnce() throws Exception {
    List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<LeanNetwork> ref = new ArrayList<>();
    NetworkListener checker = e -> {
      NetworkSnapshot s = ref.get(0).snapshot();
      switch (e) {
        case NetworkEvent.PeerConnected c when !s.isConnected(c.peer()) -> violations.add("connected " + c.peer());
        case NetworkEvent.PeerSubscription p when p.subscribed()
            && !s.topicPeers().getOrDefault(p.topic(), List.of()).contains(p.peer()) -> violations.add("subscription");
        case NetworkEvent.MeshChange m when m.grafted()
            && !s.meshPeers().getOrDefault(m.topic(), List.of()).contains(m.peer()) -> violations.add("graft");
        default -> {}
      }
    };
    EventRecorder ra = new EventRecorder().also(checker);
    LeanNetwork a = nets.start(Networks.quic("fresh-a"), ra);
    ref.add(a);
    a.subscribe(TOPIC);
    for (int i = 0; i < 3; i++) {
      EventRecorder rb = new EventRecorder();
      LeanNetwork b = nets.start(Networks.quic("fresh-b" + i), rb);
      b.subscribe(TOPIC);
      LeanNetworkTest.connect(a, ra, b, rb);
      ra.await(NetworkEvent.MeshChange.class, m -> m.peer().equals(b.localPeerId()) && m.grafted(), T);
    }
    assertThat(ra.all(NetworkEvent.PeerSubscription.class)).hasSizeGreaterThanOrEqualTo(3);
    assertThat(violations).isEmpty();
  }

  private static double queuedPlusShed(LeanNetwork n) {
    var m = n.metrics();
    return m.value("leanp2p_event_queue_depth", Map.of("class", "peer"))
        + m.value("leanp2p_events_shed_total", Map.of("class", "peer"));
  }

  /** Waits until the loop's published metrics show at least {@code atLeast}; returns the value. */
  static double awaitMetric(LeanNetwork n, String name, Map<String, String> labels, double atLeast)
      throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    while (!(n.metrics().value(name, labels) >= atLeast) && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling the metrics the loop publishes every second, bounded by the deadline
    }
    assertThat(n.metrics().value(name, labels)).as(name + labels).isGreaterThanOrEqualTo(atLeast);
    return n.metrics().value(name, labels);
  }
}
