package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.types.RequestError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class LeanNetworkTest {
  static final Duration T = Duration.ofSeconds(20);
  static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  private final List<LeanNetwork> nets = new ArrayList<>();

  static String listenFor(String transport) {
    return transport.equals("tcp") ? "/ip4/127.0.0.1/tcp/0" : "/ip4/127.0.0.1/udp/0/quic-v1";
  }

  LeanNetwork start(String name, String transport, EventRecorder rec) throws Exception {
    LeanNetwork n =
        LeanNetwork.start(
            NetworkConfig.builder().name(name).listen(listenFor(transport)).build(), rec);
    nets.add(n);
    n.awaitReady(T);
    return n;
  }

  @AfterEach
  void closeAll() {
    for (LeanNetwork n : nets) {
      n.close();
    }
  }

  /** Two networks, b dials a; returns when both saw the connection. */
  static void connect(LeanNetwork a, EventRecorder ra, LeanNetwork b, EventRecorder rb) throws Exception {
    Multiaddr addr = a.ready().get().get(0);
    assertThat(b.dial(addr.toString())).isEqualTo(Outcome.ACCEPTED);
    rb.await(NetworkEvent.PeerConnected.class, e -> e.peer().equals(a.localPeerId()), T);
    ra.await(NetworkEvent.PeerConnected.class, e -> e.peer().equals(b.localPeerId()), T);
  }

  @Test
  void commandsBeforeReadyAndAfterCloseGetExplicitOutcomes() throws Exception {
    EventRecorder rec = new EventRecorder();
    LeanNetwork n =
        LeanNetwork.start(NetworkConfig.builder().name("life").listen(listenFor("quic")).build(), rec);
    // the loop may or may not be ready yet: either way the answer is explicit
    Outcome early = n.publish(TOPIC, new byte[] {1});
    assertThat(early.kind()).isIn(Outcome.Kind.NOT_STARTED, Outcome.Kind.ACCEPTED);
    n.awaitReady(T);
    assertThat(n.subscribe(TOPIC)).isEqualTo(Outcome.ACCEPTED);
    assertThat(n.publish(TOPIC, new byte[NetworkConfig.MAX_PAYLOAD + 1]).kind()).isEqualTo(Outcome.Kind.INVALID);
    assertThat(n.publish(null, new byte[1]).kind()).isEqualTo(Outcome.Kind.INVALID);
    assertThat(n.reportValidation(new byte[3], Validation.ACCEPT).kind()).isEqualTo(Outcome.Kind.INVALID);
    assertThat(n.sendResponseChunk(424242, new byte[1]).kind()).isEqualTo(Outcome.Kind.INVALID);
    assertThat(n.dial("/ip4/not-an-ip/tcp/1").kind()).isEqualTo(Outcome.Kind.INVALID);
    PeerId stranger = PeerId.fromPublicKey(io.leanp2p.crypto.Secp256k1PrivateKey.generate(new java.security.SecureRandom()).publicKey());
    RequestHandle r = n.sendRequest(stranger, LeanProtocol.STATUS, new byte[80]);
    assertThat(r.outcome()).isEqualTo(Outcome.NOT_CONNECTED);
    assertThat(r.requestId()).isZero();
    n.close();
    n.close(); // idempotent
    assertThat(n.publish(TOPIC, new byte[] {1})).isEqualTo(Outcome.CLOSED);
    assertThat(n.subscribe(TOPIC)).isEqualTo(Outcome.CLOSED);
    assertThat(n.metrics().value("leanp2p_command_refusals_total", java.util.Map.of("reason", "invalid")))
        .isGreaterThanOrEqualTo(5);
  }

  /** The CLI's peer matches publish completions to its calls in order: the network must keep it. */
  @Test
  void publishCompletionsComeInTheOrderThePublishesWereAccepted() throws Exception {
    EventRecorder rec = new EventRecorder();
    LeanNetwork n = LeanNetwork.start(
        NetworkConfig.builder().name("order").listen(listenFor("tcp")).publishEvents(true).build(), rec);
    nets.add(n);
    n.awaitReady(T);
    java.util.Random random = new java.util.Random(5);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      // small and large payloads take different paths (prepared on the loop / on the caller)
      byte[] p = new byte[i % 3 == 0 ? 20_000 : 100 + i];
      random.nextBytes(p);
      Outcome o = i % 2 == 0 ? n.publishRaw(TOPIC, p) : n.publish(TOPIC, p);
      assertThat(o).isEqualTo(Outcome.ACCEPTED);
      expected.add(io.leanp2p.util.Hex.encode(i % 2 == 0
          ? io.leanp2p.codec.gossip.MessageId.prepare(TOPIC, p, 10 << 20).id()
          : io.leanp2p.codec.gossip.MessageId.computeDecompressed(TOPIC, io.leanp2p.codec.snappy.SnappyBlock.compress(p), p)));
    }
    rec.await(NetworkEvent.PublishCompleted.class, e -> e.messageIdHex().equals(expected.get(expected.size() - 1)), T);
    List<String> got = rec.events().stream()
        .filter(e -> e instanceof NetworkEvent.PublishCompleted)
        .map(e -> ((NetworkEvent.PublishCompleted) e).messageIdHex())
        .toList();
    assertThat(got).containsExactlyElementsOf(expected);
  }

  @Test
  void badListenAddressFailsStartWithTypedReason() {
    LeanNetwork n =
        LeanNetwork.start(NetworkConfig.builder().name("bad").listen("/ip4/1.2.3/tcp/1").build(), e -> {});
    nets.add(n);
    try {
      n.awaitReady(T);
      throw new AssertionError("start should fail");
    } catch (StartException e) {
      assertThat(e.reason()).isEqualTo(StartException.Reason.ADDRESS);
    } catch (TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"quic", "tcp"})
  void gossipFlowsBothWaysWithHostValidation(String transport) throws Exception {
    EventRecorder ra = new EventRecorder();
    EventRecorder rb = new EventRecorder();
    LeanNetwork a = start("a-" + transport, transport, ra);
    LeanNetwork b = start("b-" + transport, transport, rb);
    a.subscribe(TOPIC);
    b.subscribe(TOPIC);
    connect(a, ra, b, rb);
    ra.await(NetworkEvent.PeerSubscription.class, e -> e.topic().equals(TOPIC), T);
    rb.await(NetworkEvent.PeerSubscription.class, e -> e.topic().equals(TOPIC), T);
    rb.await(NetworkEvent.MeshChange.class, e -> e.grafted(), T);
    // the mesh shows in the snapshot and the metrics (published by the loop) too
    long deadline = System.nanoTime() + T.toNanos();
    while ((b.snapshot().meshPeers().getOrDefault(TOPIC, List.of()).isEmpty()
            || !(b.metrics().value("leanp2p_mesh_peers", java.util.Map.of("topic", TOPIC)) >= 1))
        && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling a published snapshot, bounded by the deadline
    }
    assertThat(b.snapshot().meshPeers().get(TOPIC)).containsExactly(a.localPeerId());
    assertThat(b.metrics().value("leanp2p_mesh_peers", java.util.Map.of("topic", TOPIC))).isEqualTo(1.0);
    // the leanMetrics peer metrics, labelled by the client identify reported ("lean-p2p/...")
    java.util.Map<String, String> leanClient = java.util.Map.of("client", "lean-p2p");
    while ((!(b.metrics().value("lean_connected_peers", leanClient) >= 1)
            || !(b.metrics().value("lean_gossip_mesh_peers", leanClient) >= 1))
        && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling the metrics the loop publishes every second, bounded by the deadline
    }
    assertThat(b.metrics().value("lean_connected_peers", leanClient)).isEqualTo(1.0);
    assertThat(b.metrics().value("lean_gossip_mesh_peers", leanClient)).isEqualTo(1.0);
    assertThat(b.metrics().value("lean_peer_connection_events_total",
        java.util.Map.of("direction", "outbound", "result", "success"))).isEqualTo(1.0);
    byte[] payload = new byte[300 * 1024];
    new Random(1).nextBytes(payload);
    assertThat(a.publish(TOPIC, payload)).isEqualTo(Outcome.ACCEPTED);
    NetworkEvent.GossipMessage got = rb.await(NetworkEvent.GossipMessage.class, T);
    assertThat(got.topic()).isEqualTo(TOPIC);
    assertThat(got.data()).isEqualTo(payload);
    assertThat(got.from()).isEqualTo(a.localPeerId());
    assertThat(b.reportValidation(got.messageId(), Validation.ACCEPT)).isEqualTo(Outcome.ACCEPTED);
    byte[] back = "hello from b".getBytes();
    b.publish(TOPIC, back);
    NetworkEvent.GossipMessage got2 = ra.await(NetworkEvent.GossipMessage.class, T);
    assertThat(got2.data()).isEqualTo(back);
  }

  @ParameterizedTest
  @ValueSource(strings = {"quic", "tcp"})
  void requestResponseWithChunksEndAndErrors(String transport) throws Exception {
    EventRecorder ra = new EventRecorder();
    EventRecorder rb = new EventRecorder();
    LeanNetwork a = start("ra-" + transport, transport, ra);
    LeanNetwork b = start("rb-" + transport, transport, rb);
    connect(a, ra, b, rb);
    // a serves: status -> its own status; blocks_by_range -> 3 chunks; blocks_by_root -> error
    ra.also(e -> {
      if (e instanceof NetworkEvent.InboundRequest r) {
        switch (r.protocol()) {
          case STATUS -> {
            a.sendResponseChunk(r.channelId(), r.data());
            a.endResponse(r.channelId());
          }
          case BLOCKS_BY_RANGE -> {
            for (int i = 0; i < 3; i++) {
              byte[] blk = new byte[100 * 1024];
              Arrays.fill(blk, (byte) i);
              a.sendResponseChunk(r.channelId(), blk);
            }
            a.endResponse(r.channelId());
          }
          case BLOCKS_BY_ROOT -> a.sendErrorResponse(r.channelId(), ResponseCode.RESOURCE_UNAVAILABLE, "no such blocks");
        }
      }
    });
    byte[] status = new byte[80];
    new Random(2).nextBytes(status);
    RequestHandle h = b.sendRequest(a.localPeerId(), LeanProtocol.STATUS, status);
    assertThat(h.outcome()).isEqualTo(Outcome.ACCEPTED);
    NetworkEvent.ResponseChunk chunk =
        rb.await(NetworkEvent.ResponseChunk.class, c -> c.requestId() == h.requestId(), T);
    assertThat(chunk.data()).isEqualTo(status);
    rb.await(NetworkEvent.EndOfStream.class, e -> e.requestId() == h.requestId(), T);

    byte[] range = new byte[16];
    range[8] = 3; // start 0, count 3
    RequestHandle h2 = b.sendRequest(a.localPeerId(), LeanProtocol.BLOCKS_BY_RANGE, range);
    rb.await(NetworkEvent.EndOfStream.class, e -> e.requestId() == h2.requestId(), T);
    List<NetworkEvent.ResponseChunk> chunks =
        rb.all(NetworkEvent.ResponseChunk.class).stream().filter(c -> c.requestId() == h2.requestId()).toList();
    assertThat(chunks).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(chunks.get(i).data()).hasSize(100 * 1024).containsOnly((byte) i);
    }

    byte[] roots = new byte[4 + 32];
    roots[0] = 4;
    RequestHandle h3 = b.sendRequest(a.localPeerId(), LeanProtocol.BLOCKS_BY_ROOT, roots);
    NetworkEvent.RequestFailed f =
        rb.await(NetworkEvent.RequestFailed.class, e -> e.requestId() == h3.requestId(), T);
    assertThat(f.error().kind()).isEqualTo(RequestError.Kind.WIRE_ERROR);
    assertThat(f.error().code()).isEqualTo(ResponseCode.RESOURCE_UNAVAILABLE);
    assertThat(f.error().message()).isEqualTo("no such blocks");
    // exactly one terminal event per request
    for (long id : new long[] {h.requestId(), h2.requestId(), h3.requestId()}) {
      long terminals =
          rb.events().stream()
              .filter(e -> (e instanceof NetworkEvent.EndOfStream x && x.requestId() == id)
                  || (e instanceof NetworkEvent.RequestFailed y && y.requestId() == id))
              .count();
      assertThat(terminals).as("terminal events of request %d", id).isEqualTo(1);
    }
  }

  @Test
  void concurrencyLimitPerPeerIsRefusedUpFrontAndCloseEndsInFlightRequests() throws Exception {
    EventRecorder ra = new EventRecorder();
    EventRecorder rb = new EventRecorder();
    LeanNetwork a = start("ca", "quic", ra);
    LeanNetwork b = start("cb", "quic", rb);
    connect(a, ra, b, rb);
    // a never answers
    RequestHandle r1 = b.sendRequest(a.localPeerId(), LeanProtocol.STATUS, new byte[80]);
    RequestHandle r2 = b.sendRequest(a.localPeerId(), LeanProtocol.STATUS, new byte[80]);
    RequestHandle r3 = b.sendRequest(a.localPeerId(), LeanProtocol.STATUS, new byte[80]);
    assertThat(r1.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r2.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r3.outcome()).isEqualTo(Outcome.TOO_MANY_REQUESTS);
    assertThat(r2.requestId()).isGreaterThan(r1.requestId());
    ra.awaitCount(NetworkEvent.InboundRequest.class, e -> true, 2, T);
    b.close();
    List<NetworkEvent.RequestFailed> failed = rb.all(NetworkEvent.RequestFailed.class);
    assertThat(failed).extracting(NetworkEvent.RequestFailed::requestId)
        .containsExactlyInAnyOrder(r1.requestId(), r2.requestId());
  }
}
