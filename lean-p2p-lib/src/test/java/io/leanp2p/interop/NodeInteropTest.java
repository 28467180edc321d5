package io.leanp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.Outcome;
import io.leanp2p.node.RequestHandle;
import io.leanp2p.types.Validation;
import io.leanp2p.peerclient.PeerClient;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;
import io.leanp2p.types.RequestError;
import io.leanp2p.testing.JsPeer;
import io.leanp2p.util.Hex;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole node (host API, router, req/resp, transports) against js-libp2p peers: host
 * validation gates forwarding, and req/resp failure modes of a real remote (a responder that never
 * answers, one that sends a chunk too many), over TCP and QUIC.
 */
@Timeout(180)
class NodeInteropTest {
  static final Duration T = Duration.ofSeconds(30);
  static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";

  private static String listen(String transport) {
    return transport.equals("tcp") ? "/ip4/127.0.0.1/tcp/0" : "/ip4/127.0.0.1/udp/0/quic-v1";
  }

  private static String addrOf(PeerClient js, String transport) {
    return transport.equals("tcp") ? js.tcpAddr() : js.quicAddr();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "quic"})
  void aMessageTheJavaHostRejectsIsNotForwardedToAThirdPeer(String transport) throws Exception {
    JsPeer.assumeAvailable();
    List<NetworkEvent.GossipMessage> got = new CopyOnWriteArrayList<>();
    CountDownLatch meshWithJs2 = new CountDownLatch(1);
    byte[] rejected = new byte[1000];
    byte[] accepted = new byte[1000];
    new Random(11).nextBytes(rejected);
    new Random(12).nextBytes(accepted);
    try (PeerClient js1 = JsPeer.start(JsPeer.Options.defaults().withTopics(TOPIC));
        PeerClient js2 = JsPeer.start(JsPeer.Options.defaults().withTopics(TOPIC))) {
      PeerId js2Id = PeerId.fromBase58(js2.peerId());
      LeanNetwork[] self = new LeanNetwork[1];
      LeanNetwork net =
          LeanNetwork.start(
              NetworkConfig.builder().name("reject-" + transport).listen(listen(transport)).build(),
              e -> {
                if (e instanceof NetworkEvent.MeshChange m && m.grafted() && m.peer().equals(js2Id)) {
                  meshWithJs2.countDown();
                }
                if (e instanceof NetworkEvent.GossipMessage m) {
                  got.add(m);
                  boolean reject = java.util.Arrays.equals(m.data() != null ? m.data() : m.wireData(), rejected)
                      || java.util.Arrays.equals(m.wireData(), rejected);
                  self[0].reportValidation(m.messageId(), reject ? Validation.REJECT : Validation.ACCEPT);
                }
              });
      self[0] = net;
      try {
        net.awaitReady(T);
        net.subscribe(TOPIC);
        assertThat(net.dial(addrOf(js1, transport))).isEqualTo(Outcome.ACCEPTED);
        assertThat(net.dial(addrOf(js2, transport))).isEqualTo(Outcome.ACCEPTED);
        assertThat(meshWithJs2.await(30, TimeUnit.SECONDS)).as("js2 in our mesh").isTrue();
        js1.awaitEvent(PeerClient.event("graft", "peer", net.localPeerId().toBase58()), T);

        js1.request(PeerClient.cmd("publish", "topic", TOPIC, "dataHex", Hex.encode(rejected)), "published", T);
        js1.request(PeerClient.cmd("publish", "topic", TOPIC, "dataHex", Hex.encode(accepted)), "published", T);
        Map<String, Object> arrived = js2.awaitEvent(PeerClient.event("message", "topic", TOPIC), T);
        // the accepted message was published after the rejected one: had we forwarded the
        // rejected one, it would have arrived first
        assertThat(PeerClient.num(arrived, "len")).isEqualTo(accepted.length);
        assertThat(PeerClient.str(arrived, "sha256")).isEqualTo(Hex.encode(sha256(accepted)));
        assertThat(js2.events()).filteredOn(e -> "message".equals(e.get("event"))).hasSize(1);
        assertThat(got).hasSize(2);
      } finally {
        net.close();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "quic"})
  void aSilentResponderGivesExactlyOneTimeoutAndAnExtraChunkIsAProtocolError(String transport)
      throws Exception {
    JsPeer.assumeAvailable();
    List<NetworkEvent> events = new CopyOnWriteArrayList<>();
    try (PeerClient js = JsPeer.start(JsPeer.Options.defaults().withStatusMode("silent"))) {
      PeerId jsId = PeerId.fromBase58(js.peerId());
      LeanNetwork net =
          LeanNetwork.start(
              NetworkConfig.builder()
                  .name("rr-faults-" + transport)
                  .listen(listen(transport))
                  .reqresp(ReqRespConfig.leanDefaults().withRequestTimeout(Duration.ofSeconds(2)))
                  .build(),
              events::add);
      try {
        net.awaitReady(T);
        net.dial(addrOf(js, transport));
        awaitEvent(events, e -> e instanceof NetworkEvent.PeerConnected);
        byte[] status = new byte[80];
        new Random(3).nextBytes(status);

        RequestHandle silent = net.sendRequest(jsId, LeanProtocol.STATUS, status);
        assertThat(silent.isAccepted()).isTrue();
        NetworkEvent.RequestFailed timeout =
            (NetworkEvent.RequestFailed) awaitEvent(events, e -> e instanceof NetworkEvent.RequestFailed f
                && f.requestId() == silent.requestId());
        assertThat(timeout.error().kind()).isEqualTo(RequestError.Kind.TIMEOUT);

        js.request(PeerClient.cmd("set-status-mode", "mode", "extra-chunk"), "status-mode", T);
        RequestHandle extra = net.sendRequest(jsId, LeanProtocol.STATUS, status);
        assertThat(extra.isAccepted()).isTrue();
        NetworkEvent.RequestFailed violation =
            (NetworkEvent.RequestFailed) awaitEvent(events, e -> e instanceof NetworkEvent.RequestFailed f
                && f.requestId() == extra.requestId());
        assertThat(violation.error().kind()).isEqualTo(RequestError.Kind.PROTOCOL_VIOLATION);
        assertThat(events).filteredOn(e -> e instanceof NetworkEvent.ResponseChunk c
            && c.requestId() == extra.requestId()).hasSize(1);

        // a ping round trip after both: by then any late bytes of the first requests are in
        net.ping(jsId);
        awaitEvent(events, e -> e instanceof NetworkEvent.PingResult);
        for (long id : new long[] {silent.requestId(), extra.requestId()}) {
          assertThat(events).as("terminal events of request %d", id)
              .filteredOn(e -> (e instanceof NetworkEvent.RequestFailed f && f.requestId() == id)
                  || (e instanceof NetworkEvent.EndOfStream x && x.requestId() == id))
              .hasSize(1);
        }
      } finally {
        net.close();
      }
    }
  }

  private static NetworkEvent awaitEvent(List<NetworkEvent> events, java.util.function.Predicate<NetworkEvent> p)
      throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    while (System.nanoTime() < deadline) {
      for (NetworkEvent e : events) {
        if (p.test(e)) {
          return e;
        }
      }
      Thread.sleep(10); // polling the recorded events, bounded by the deadline
    }
    throw new AssertionError("no matching event; have " + events);
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return java.security.MessageDigest.getInstance("SHA-256").digest(b);
  }
}
