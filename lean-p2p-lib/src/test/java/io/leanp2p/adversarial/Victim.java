package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.Outcome;
import io.leanp2p.node.RequestHandle;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.types.TransportKind;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The node under attack: a {@link LeanNetwork} listening on TCP and QUIC (127.0.0.1), subscribed
 * to one topic, answering every status request with its status, every blocks_by_range request
 * with up to 32 blocks of 64 KiB (as many as the channel takes), blocks_by_root with an error,
 * and accepting all gossip. {@link
 * #assertServesHonestPeer} is the check every attack ends with: a fresh honest node connects and
 * gets a status answer and a gossip message through.
 */
final class Victim implements AutoCloseable {
  static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  /** Generous: the machine is shared; a lock-out shows up as no service at all, not as a slow one. */
  static final Duration T = Duration.ofSeconds(20);
  static final byte[] STATUS = new byte[80];
  static final byte[] BLOCK = Attack.bytes(64 * 1024, 64);

  static {
    Arrays.fill(STATUS, (byte) 7);
  }

  final LeanNetwork net;
  final Recorder events;
  final InetSocketAddress tcp;
  final InetSocketAddress quic;
  final Multiaddr tcpAddr;
  final Multiaddr quicAddr;
  private final AtomicInteger honestCount = new AtomicInteger();
  private final String name;

  private Victim(String name, LeanNetwork[] holder, Recorder events) throws Exception {
    this.name = name;
    this.net = holder[0];
    this.events = events;
    List<Multiaddr> addrs = net.awaitReady(T);
    Multiaddr t = null;
    Multiaddr q = null;
    for (Multiaddr a : addrs) {
      if (a.isTcp()) {
        t = a;
      } else if (a.isQuic()) {
        q = a;
      }
    }
    this.tcpAddr = t;
    this.quicAddr = q;
    this.tcp = t.toSocketAddress();
    this.quic = q.toSocketAddress();
    assertThat(net.subscribe(TOPIC)).isEqualTo(Outcome.ACCEPTED);
  }

  static Victim start(String name) throws Exception {
    return start(name, b -> b);
  }

  static Victim start(String name, UnaryOperator<NetworkConfig.Builder> tweak) throws Exception {
    LeanNetwork[] holder = new LeanNetwork[1];
    Recorder rec =
        new Recorder(
            e -> {
              LeanNetwork n = holder[0];
              if (n == null) {
                return;
              }
              if (e instanceof NetworkEvent.InboundRequest r) {
                if (r.protocol() == LeanProtocol.STATUS) {
                  n.sendResponseChunk(r.channelId(), STATUS);
                  n.endResponse(r.channelId());
                } else if (r.protocol() == LeanProtocol.BLOCKS_BY_RANGE) {
                  // 32 blocks of 64 KiB, as long as the channel takes them
                  for (int i = 0; i < 32 && n.sendResponseChunk(r.channelId(), BLOCK) == Outcome.ACCEPTED; i++) {}
                  n.endResponse(r.channelId());
                } else {
                  n.sendErrorResponse(r.channelId(), ResponseCode.RESOURCE_UNAVAILABLE, "no blocks here");
                }
              } else if (e instanceof NetworkEvent.GossipMessage g) {
                n.reportValidation(g.messageId(), Validation.ACCEPT);
              }
            });
    NetworkConfig.Builder b =
        NetworkConfig.builder().name(name).listen("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1");
    holder[0] = LeanNetwork.start(tweak.apply(b).build(), rec);
    try {
      return new Victim(name, holder, rec);
    } catch (Exception | AssertionError e) {
      holder[0].close();
      throw e;
    }
  }

  PeerId id() {
    return net.localPeerId();
  }

  Multiaddr addr(TransportKind kind) {
    return (kind == TransportKind.TCP ? tcpAddr : quicAddr).withP2p(id().toBytes());
  }

  /**
   * A fresh honest node dials the victim over {@code kind}, gets its status request answered and
   * delivers a gossip message to it. Fails if any step does not happen within {@link #T}.
   */
  void assertServesHonestPeer(TransportKind kind) throws Exception {
    try {
      honestPeerServed(kind);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nvictim: " + diagnostics(), e);
    }
  }

  /** The victim's admission, error and peer counters, for failure messages. */
  String diagnostics() {
    StringBuilder sb = new StringBuilder();
    net.metrics().samples().forEach(s -> {
      if (s.name().startsWith("leanp2p_admission_") || s.name().startsWith("leanp2p_channel_errors")
          || s.name().startsWith("leanp2p_peers") || s.name().startsWith("leanp2p_max_peers")
          || s.name().startsWith("leanp2p_loop_") || s.name().startsWith("leanp2p_yamux_errors")) {
        if (s.value() != 0) {
          sb.append(s.name()).append(s.labels()).append('=').append(s.value()).append(' ');
        }
      }
    });
    return sb.toString();
  }

  private void honestPeerServed(TransportKind kind) throws Exception {
    int n = honestCount.incrementAndGet();
    Recorder rec = new Recorder();
    try (LeanNetwork h =
        LeanNetwork.start(
            NetworkConfig.builder()
                .name(name + "-honest" + n)
                .listen()
                .build(),
            rec)) {
      h.awaitReady(T);
      assertThat(h.subscribe(TOPIC)).isEqualTo(Outcome.ACCEPTED);
      assertThat(h.dial(addr(kind).toString())).isEqualTo(Outcome.ACCEPTED);
      rec.await(NetworkEvent.PeerConnected.class, e -> e.peer().equals(id()), T);

      RequestHandle r = h.sendRequest(id(), LeanProtocol.STATUS, STATUS);
      assertThat(r.outcome()).as("status request accepted").isEqualTo(Outcome.ACCEPTED);
      NetworkEvent.ResponseChunk chunk =
          rec.await(NetworkEvent.ResponseChunk.class, c -> c.requestId() == r.requestId(), T);
      assertThat(chunk.data()).isEqualTo(STATUS);
      rec.await(NetworkEvent.EndOfStream.class, e -> e.requestId() == r.requestId(), T);

      rec.await(NetworkEvent.PeerSubscription.class, e -> e.peer().equals(id()) && e.topic().equals(TOPIC), T);
      byte[] payload = ("honest " + name + " " + n + " " + System.nanoTime()).getBytes();
      assertThat(h.publish(TOPIC, payload)).isEqualTo(Outcome.ACCEPTED);
      events.await(
          NetworkEvent.GossipMessage.class,
          g -> g.from().equals(h.localPeerId()) && Arrays.equals(g.data(), payload),
          T);
    }
  }

  /**
   * The victim's host dials a fresh honest node (listening on 127.0.0.1 over {@code kind}): the
   * connection must come up and the peer must still be connected once both sides saw it (our
   * dials find room however full the inbound side is).
   */
  void assertDialsOut(TransportKind kind) throws Exception {
    int n = honestCount.incrementAndGet();
    Recorder rec = new Recorder();
    try (LeanNetwork h = LeanNetwork.start(NetworkConfig.builder()
        .name(name + "-honest" + n)
        .listen(kind == TransportKind.TCP ? "/ip4/127.0.0.1/tcp/0" : "/ip4/127.0.0.1/udp/0/quic-v1")
        .build(), rec)) {
      Multiaddr addr = h.awaitReady(T).get(0).withP2p(h.localPeerId().toBytes());
      assertThat(net.dial(addr.toString())).isEqualTo(Outcome.ACCEPTED);
      events.await(NetworkEvent.PeerConnected.class, e -> e.peer().equals(h.localPeerId()), T);
      rec.await(NetworkEvent.PeerConnected.class, e -> e.peer().equals(id()), T);
      assertThat(events.all(NetworkEvent.PeerDisconnected.class, e -> e.peer().equals(h.localPeerId())))
          .as("our dial, disconnected by the victim's own policy; victim: %s", diagnostics())
          .isEmpty();
    }
  }

  /** Both transports. */
  void assertServesHonestPeers() throws Exception {
    assertServesHonestPeer(TransportKind.TCP);
    assertServesHonestPeer(TransportKind.QUIC);
  }

  double metric(String name, java.util.Map<String, String> labels) {
    return net.metrics().value(name, labels);
  }

  /**
   * The metric once it reached {@code atLeast}, or its value after {@code timeout}: metrics are a
   * snapshot the loop publishes (at least every second), so this polls it, bounded.
   */
  double awaitMetric(String name, java.util.Map<String, String> labels, double atLeast, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    double v = metric(name, labels);
    while (!(v >= atLeast) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      v = metric(name, labels);
    }
    return v;
  }

  int peerCount() {
    return net.snapshot().peers().size();
  }

  @Override
  public void close() {
    net.close();
  }
}
