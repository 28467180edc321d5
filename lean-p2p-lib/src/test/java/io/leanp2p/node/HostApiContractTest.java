package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.leanp2p.testing.Networks;
import org.junit.jupiter.api.Timeout;

/** The host API contract under load, from many threads (issue: the network actor). */
@Timeout(300)
class HostApiContractTest {
  static final Duration T = Duration.ofSeconds(30);
  static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  static final String TOPIC_B = "/leanconsensus/12345678/attestation_0/ssz_snappy";
  @RegisterExtension final Networks nets = new Networks();

  @Test
  void millionMixedCommandsFromEightThreadsAreEachAnsweredAndAcceptedOnesTakeEffectOnce() throws Exception {
    LongAdder seenByB = new LongAdder();
    Set<String> seenPayloads = ConcurrentHashMap.newKeySet();
    EventRecorder ra = new EventRecorder();
    EventRecorder rb = new EventRecorder();
    LeanNetwork a = nets.start(Networks.quic("mt-a").gossipQueueCapacity(4096), ra);
    LeanNetwork[] bRef = new LeanNetwork[1];
    LeanNetwork b =
        nets.start(Networks.quic("mt-b").gossipQueueCapacity(65536), rb.also(e -> {
          if (e instanceof NetworkEvent.GossipMessage m && m.topic().equals(TOPIC)) {
            bRef[0].reportValidation(m.messageId(), Validation.ACCEPT); // a host that keeps up
            seenByB.increment();
            seenPayloads.add(new String(m.data(), 0, 16, java.nio.charset.StandardCharsets.ISO_8859_1));
          }
        }));
    bRef[0] = b;
    a.subscribe(TOPIC);
    b.subscribe(TOPIC);
    b.subscribe(TOPIC_B);
    a.subscribe(TOPIC_B);
    LeanNetworkTest.connect(a, ra, b, rb);
    rb.await(NetworkEvent.MeshChange.class, e -> e.topic().equals(TOPIC) && e.grafted(), T);
    ra.await(NetworkEvent.MeshChange.class, e -> e.topic().equals(TOPIC) && e.grafted(), T);

    // b floods a with ~10,000 gossip messages/s on another topic while the host threads work
    AtomicBoolean flooding = new AtomicBoolean(true);
    Thread flood = new Thread(() -> {
      long n = 0;
      long start = System.nanoTime();
      while (flooding.get()) {
        long due = start + n * 100_000L; // 10,000 / s
        long wait = due - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
        byte[] p = new byte[256];
        ByteBuffer.wrap(p).putLong(n).putLong(0x5eed);
        b.publish(TOPIC_B, p);
        n++;
      }
    }, "flood");
    flood.start();

    int threads = 8;
    int perThread = 125_000;
    EnumMap<Outcome.Kind, LongAdder> outcomes = new EnumMap<>(Outcome.Kind.class);
    for (Outcome.Kind k : Outcome.Kind.values()) {
      outcomes.put(k, new LongAdder());
    }
    LongAdder acceptedPublishes = new LongAdder();
    LongAdder calls = new LongAdder();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int tid = t;
      Thread w = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        byte[] id = new byte[20];
        for (int i = 0; i < perThread; i++) {
          Outcome o;
          switch (i % 8) {
            case 0, 1 -> {
              byte[] p = new byte[64];
              ByteBuffer.wrap(p).putInt(tid).putInt(i).putLong(0xabcdefL);
              o = a.publish(TOPIC, p);
              if (o.isAccepted()) {
                acceptedPublishes.increment();
              }
            }
            case 2 -> o = a.reportValidation(id, Validation.IGNORE);
            case 3 -> o = a.subscribe("/leanconsensus/12345678/aggregation/ssz_snappy");
            case 4 -> o = a.publish(TOPIC, null);
            case 5 -> o = a.sendResponseChunk(-1 - i, new byte[1]);
            case 6 -> o = a.sendRequest(b.localPeerId(), LeanProtocol.STATUS, new byte[80]).outcome();
            default -> o = a.dial("not a multiaddr");
          }
          outcomes.get(o.kind()).increment();
          calls.increment();
        }
      }, "host-" + t);
      workers.add(w);
      w.start();
    }
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    long total = 0;
    for (LongAdder v : outcomes.values()) {
      total += v.sum();
    }
    assertThat(calls.sum()).isEqualTo((long) threads * perThread);
    assertThat(total).as("every call returned exactly one outcome").isEqualTo(calls.sum());
    assertThat(outcomes.get(Outcome.Kind.INVALID).sum()).as("null payloads, unknown channels, bad dials")
        .isEqualTo(3L * threads * perThread / 8);
    long accepted = acceptedPublishes.sum();
    assertThat(accepted).isPositive();
    // every accepted publish reached b exactly once
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (seenByB.sum() < accepted && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.sleep(10); // polling a counter of the remote, bounded by the deadline
    }
    flooding.set(false);
    flood.join();
    assertThat(seenByB.sum()).isEqualTo(accepted);
    assertThat(seenPayloads).hasSize((int) accepted);
    // refusals are visible in metrics, by reason
    double refusedFull = a.metrics().value("leanp2p_command_refusals_total", Map.of("reason", "queue_full"));
    assertThat((long) refusedFull).isEqualTo(outcomes.get(Outcome.Kind.QUEUE_FULL).sum());
    nets.closeAll();
    System.gc();
    long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThat(used).as("heap after the run").isLessThan(512L * 1024 * 1024);
  }

  @Test
  void tenThousandConcurrentRequestsFromManyThreadsEachEndWithExactlyOneTerminalEvent() throws Exception {
    EventRecorder ra = new EventRecorder();
    java.util.concurrent.ConcurrentHashMap<Long, java.util.concurrent.atomic.AtomicInteger> terminals =
        new java.util.concurrent.ConcurrentHashMap<>();
    LongAdder terminalCount = new LongAdder();
    EventRecorder rb = new EventRecorder().also(e -> {
      long id = e instanceof NetworkEvent.EndOfStream x ? x.requestId()
          : e instanceof NetworkEvent.RequestFailed f ? f.requestId() : -1;
      if (id >= 0) {
        terminals.computeIfAbsent(id, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        terminalCount.increment();
      }
    });
    LeanNetwork a = nets.start(Networks.quic("many-a"), ra);
    LeanNetwork b =
        nets.start(Networks.quic("many-b").reqresp(io.leanp2p.config.ReqRespConfig.leanDefaults()
            .withMaxConcurrentPerPeer(10_000)), rb);
    LeanNetworkTest.connect(a, ra, b, rb);
    ra.also(e -> {
      if (e instanceof NetworkEvent.InboundRequest r) {
        a.sendResponseChunk(r.channelId(), r.data());
        a.endResponse(r.channelId());
      }
    });
    Set<Long> acceptedIds = ConcurrentHashMap.newKeySet();
    LongAdder refused = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      Thread th = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 1250; i++) {
          RequestHandle h = b.sendRequest(a.localPeerId(), LeanProtocol.STATUS, new byte[80]);
          if (h.isAccepted()) {
            assertThat(acceptedIds.add(h.requestId())).as("request ids are never reused").isTrue();
          } else {
            refused.increment();
          }
        }
      });
      threads.add(th);
      th.start();
    }
    go.countDown();
    for (Thread th : threads) {
      th.join();
    }
    assertThat(acceptedIds.size() + refused.sum()).isEqualTo(10_000);
    assertThat(acceptedIds).isNotEmpty();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (terminalCount.sum() < acceptedIds.size() && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling a counter, bounded by the deadline
    }
    assertThat(terminals.keySet()).containsExactlyInAnyOrderElementsOf(acceptedIds);
    assertThat(terminals.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
  }

  @Test
  void controlLaneCarriesResponsesWhileBulkIsSaturated() throws Exception {
    EventRecorder ra = new EventRecorder();
    EventRecorder rb = new EventRecorder();
    LeanNetwork a = nets.start(Networks.quic("ctl-a").bulkLaneCapacity(64).controlLaneCapacity(2048), ra);
    LeanNetwork b = nets.start(Networks.quic("ctl-b"), rb);
    LeanNetworkTest.connect(a, ra, b, rb);
    AtomicBoolean saturate = new AtomicBoolean(true);
    LongAdder bulkFull = new LongAdder();
    List<Thread> spammers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      Thread s = new Thread(() -> {
        byte[] p = new byte[1024];
        long i = 0;
        while (saturate.get()) {
          ByteBuffer.wrap(p).putLong(i++);
          if (a.publish(TOPIC, p).kind() == Outcome.Kind.QUEUE_FULL) {
            bulkFull.increment();
          }
        }
      });
      spammers.add(s);
      s.start();
    }
    CountDownLatch answered = new CountDownLatch(2);
    ra.also(e -> {
      if (e instanceof NetworkEvent.InboundRequest r) {
        if (r.protocol() == LeanProtocol.BLOCKS_BY_RANGE) {
          for (int i = 0; i < 1000; i++) {
            byte[] c = new byte[8];
            ByteBuffer.wrap(c).putInt(i);
            assertThat(a.sendResponseChunk(r.channelId(), c)).isEqualTo(Outcome.ACCEPTED);
          }
          assertThat(a.endResponse(r.channelId())).isEqualTo(Outcome.ACCEPTED);
        } else {
          assertThat(a.sendErrorResponse(r.channelId(), ResponseCode.SERVER_ERROR, "busy " + r.protocol().name()))
              .isEqualTo(Outcome.ACCEPTED);
        }
        answered.countDown();
      }
    });
    byte[] range = new byte[16];
    ByteBuffer.wrap(range).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(1000);
    RequestHandle r1 = b.sendRequest(a.localPeerId(), LeanProtocol.BLOCKS_BY_RANGE, range);
    RequestHandle r2 = b.sendRequest(a.localPeerId(), LeanProtocol.STATUS, new byte[80]);
    assertThat(r1.isAccepted()).isTrue();
    assertThat(r2.isAccepted()).isTrue();
    assertThat(answered.await(60, TimeUnit.SECONDS)).isTrue();
    rb.await(NetworkEvent.EndOfStream.class, e -> e.requestId() == r1.requestId(), Duration.ofSeconds(60));
    NetworkEvent.RequestFailed f =
        rb.await(NetworkEvent.RequestFailed.class, e -> e.requestId() == r2.requestId(), Duration.ofSeconds(60));
    saturate.set(false);
    for (Thread s : spammers) {
      s.join();
    }
    assertThat(bulkFull.sum()).as("the bulk lane really was saturated").isPositive();
    List<NetworkEvent.ResponseChunk> chunks =
        rb.all(NetworkEvent.ResponseChunk.class).stream().filter(c -> c.requestId() == r1.requestId()).toList();
    assertThat(chunks).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(ByteBuffer.wrap(chunks.get(i).data()).getInt()).isEqualTo(i);
    }
    assertThat(f.error().message()).isEqualTo("busy STATUS");
  }

  @Test
  void aBlockedListenerDoesNotStallTheNetwork() throws Exception {
    EventRecorder ra = new EventRecorder();
    EventRecorder rb = new EventRecorder();
    CountDownLatch firstGossip = new CountDownLatch(1);
    LeanNetwork a =
        nets.start(Networks.quic("slow-a").gossipQueueCapacity(8), ra.also(e -> {
          if (e instanceof NetworkEvent.GossipMessage) {
            firstGossip.countDown();
            try {
              Thread.sleep(2_000); // a host that takes 2 s per gossip event
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          }
        }));
    LeanNetwork b = nets.start(Networks.quic("slow-b"), rb);
    a.subscribe(TOPIC);
    b.subscribe(TOPIC);
    LeanNetworkTest.connect(a, ra, b, rb);
    rb.await(NetworkEvent.MeshChange.class, e -> e.grafted(), T);
    for (int i = 0; i < 200; i++) {
      byte[] p = new byte[2048];
      ByteBuffer.wrap(p).putInt(i);
      b.publish(TOPIC, p);
    }
    assertThat(firstGossip.await(30, TimeUnit.SECONDS)).isTrue();
    // pings to the slow node keep answering, and nobody disconnects
    for (int i = 0; i < 5; i++) {
      int round = i;
      assertThat(b.ping(a.localPeerId())).isEqualTo(Outcome.ACCEPTED);
      rb.awaitCount(NetworkEvent.PingResult.class, p -> p.ok(), round + 1, T);
    }
    assertThat(ra.all(NetworkEvent.PeerDisconnected.class)).isEmpty();
    assertThat(rb.all(NetworkEvent.PeerDisconnected.class)).isEmpty();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (a.metrics().value("leanp2p_events_shed_total", Map.of("class", "gossip")) < 1
        && System.nanoTime() < deadline) {
      Thread.sleep(50); // waiting for the loop to publish its metrics snapshot
    }
    assertThat(a.metrics().value("leanp2p_events_shed_total", Map.of("class", "gossip"))).isPositive();
    long t0 = System.nanoTime();
    a.close();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void threeNetworksInOneJvmShareNothing() throws Exception {
    EventRecorder[] rec = {new EventRecorder(), new EventRecorder(), new EventRecorder()};
    LeanNetwork[] n = new LeanNetwork[3];
    for (int i = 0; i < 3; i++) {
      n[i] = nets.start(Networks.quic("three-" + i), rec[i]);
      n[i].subscribe(TOPIC);
    }
    LeanNetworkTest.connect(n[0], rec[0], n[1], rec[1]);
    LeanNetworkTest.connect(n[1], rec[1], n[2], rec[2]);
    LeanNetworkTest.connect(n[0], rec[0], n[2], rec[2]);
    for (int i = 0; i < 3; i++) {
      int me = i;
      rec[i].awaitCount(NetworkEvent.MeshChange.class, e -> e.grafted(), 2, T);
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      ids.add(n[i].localPeerId().toBase58());
      n[i].publish(TOPIC, ("from " + i).getBytes());
    }
    assertThat(ids).hasSize(3);
    for (int i = 0; i < 3; i++) {
      List<NetworkEvent.GossipMessage> got = rec[i].awaitCount(NetworkEvent.GossipMessage.class, e -> true, 2, T);
      for (NetworkEvent.GossipMessage m : got) {
        assertThat(new String(m.data())).isNotEqualTo("from " + i);
      }
    }
    assertThat(n[0].metrics().sum("leanp2p_commands_accepted_total"))
        .isNotEqualTo(0)
        .isLessThan(100);
  }

  @Test
  void aHundredStartCloseCyclesLeaveNoThreadsBehind() throws Exception {
    long before = leanThreads();
    for (int i = 0; i < 100; i++) {
      LeanNetwork n =
          LeanNetwork.start(
              NetworkConfig.builder().name("cycle-" + i)
                  .listen("/ip4/127.0.0.1/udp/0/quic-v1", "/ip4/127.0.0.1/tcp/0").build(),
              e -> {});
      n.awaitReady(T);
      n.close();
    }
    assertThat(leanThreads()).isEqualTo(before);
  }

  private static long leanThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("lean-p2p-cycle-"))
        .count();
  }

  @Test
  void aStaticPeerThatRestartsOnTheSamePortIsReconnected() throws Exception {
    PrivateKey keyB = Secp256k1PrivateKey.generate(new SecureRandom());
    EventRecorder rb1 = new EventRecorder();
    LeanNetwork b1 = LeanNetwork.start(Networks.quic("rc-b1").identity(keyB).build(), rb1);
    List<Multiaddr> addrs = b1.awaitReady(T);
    Multiaddr bAddr = addrs.get(0);
    EventRecorder ra = new EventRecorder();
    ReconnectPolicy fast =
        new ReconnectPolicy(List.of(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800)), 10);
    LeanNetwork a = nets.start(Networks.quic("rc-a").reconnect(fast).bootnodes(List.of(bAddr.toString())), ra);
    ra.await(NetworkEvent.PeerConnected.class, e -> e.peer().equals(b1.localPeerId()), T);
    rb1.await(NetworkEvent.PeerConnected.class, T);
    b1.close();
    ra.await(NetworkEvent.PeerDisconnected.class, T);
    String port = bAddr.toString().split("/")[4];
    EventRecorder rb2 = new EventRecorder();
    LeanNetwork b2 =
        nets.start(Networks.quic("rc-b2").identity(keyB).listen("/ip4/127.0.0.1/udp/" + port + "/quic-v1"), rb2);
    ra.awaitCount(NetworkEvent.PeerConnected.class, e -> e.peer().equals(b2.localPeerId()), 2, T);
    assertThat(ra.all(NetworkEvent.DialGaveUp.class)).isEmpty();
  }
}
