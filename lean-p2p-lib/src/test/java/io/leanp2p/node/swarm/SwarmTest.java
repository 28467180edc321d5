package io.leanp2p.node.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.testing.MemoryTransport;
import io.leanp2p.testing.SwarmNode;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.config.DnsResolver;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The swarm and its peer table under virtual time, over in-memory connections. */
class SwarmTest {
  private final VirtualScheduler sched = new VirtualScheduler();
  private final MemoryTransport.Net net = new MemoryTransport.Net(sched);
  private static final SwarmConfig CFG = SwarmConfig.defaults().withDuplicateGrace(Duration.ofMillis(200));

  /** Records what a service hears, and serves an echo-free test protocol. */
  static final class Recorder implements Service {
    final List<String> heard = new ArrayList<>();
    final List<MuxedStream> inbound = new ArrayList<>();

    @Override
    public List<String> protocols() {
      return List.of("/test/1");
    }

    @Override
    public void onInboundStream(String protocol, MuxedStream stream, ByteBuf leftover) {
      leftover.release();
      inbound.add(stream);
    }

    @Override
    public void onPeerConnected(ConnectedPeer peer) {
      heard.add("connected");
    }

    @Override
    public void onConnectionReplaced(ConnectedPeer peer) {
      heard.add("replaced");
    }

    @Override
    public void onPeerDisconnected(PeerId peer, CloseReason reason) {
      heard.add("disconnected " + reason.kind());
    }

    long count(String what) {
      return heard.stream().filter(h -> h.startsWith(what)).count();
    }
  }

  private SwarmNode node(Recorder r) {
    SwarmNode n = new SwarmNode(net, sched, CFG);
    n.swarm.addService(r);
    n.listen();
    return n;
  }

  private static Connection live(SwarmNode n, SwarmNode peer) {
    return n.swarm.peers().connection(peer.id).orElseThrow();
  }

  /** What the services do on a new or swapped connection: open a stream on the live one. */
  private static void useLive(SwarmNode from, SwarmNode to) {
    from.swarm.peers().openStream(to.id, List.of("/test/1"), new StreamNegotiator.SelectCallback() {
      @Override
      public void selected(MuxedStream s, String protocol, ByteBuf leftover) {
        leftover.release();
        s.closeWrite();
      }

      @Override
      public void failed(MuxedStream s, String reason) {}
    });
  }

  @Test
  void simultaneousDialsSettleOnTheSameLiveConnectionAndTheLoserDrainsThenCloses() {
    for (int round = 0; round < 20; round++) {
      Recorder ra = new Recorder();
      Recorder rb = new Recorder();
      SwarmNode a = node(ra);
      SwarmNode b = node(rb);
      Future<Connection> fa = a.dial(b);
      Future<Connection> fb = b.dial(a);
      sched.advanceMillis(10);
      assertThat(fa.isSuccess()).isTrue();
      assertThat(fb.isSuccess()).isTrue();
      // each side: one peer, the host told once, two connections (one draining)
      assertThat(a.events("connected")).hasSize(1);
      assertThat(b.events("connected")).hasSize(1);
      assertThat(a.swarm.peers().connections()).hasSize(2);
      assertThat(a.swarm.peers().drainingCount()).isEqualTo(1);
      // both sides picked the same connection
      Connection la = live(a, b);
      Connection lb = live(b, a);
      assertThat(la.localAddress()).isEqualTo(lb.remoteAddress());
      // a replacement is heard on both sides or on neither (the same connection was first on both)
      assertThat(ra.count("replaced")).isEqualTo(rb.count("replaced")).isLessThanOrEqualTo(1);
      // new streams go to the live connection
      boolean[] selected = new boolean[1];
      a.swarm.peers().openStream(b.id, List.of("/test/1"), new StreamNegotiator.SelectCallback() {
        @Override
        public void selected(MuxedStream s, String protocol, ByteBuf leftover) {
          leftover.release();
          selected[0] = s.connection() == la;
        }

        @Override
        public void failed(MuxedStream s, String reason) {}
      });
      sched.advanceMillis(10);
      assertThat(selected[0]).isTrue();
      assertThat(rb.inbound).hasSize(1);
      assertThat(rb.inbound.get(0).connection()).isSameAs(lb);
      // once each side saw the other use the survivor, the idle loser closes within two graces
      useLive(b, a);
      sched.advanceMillis(500);
      assertThat(a.swarm.peers().connections()).containsExactly(la);
      assertThat(b.swarm.peers().connections()).containsExactly(lb);
      assertThat(a.events("disconnected")).isEmpty();
      assertThat(b.events("disconnected")).isEmpty();
      assertThat(ra.count("disconnected")).isZero();
    }
  }

  @Test
  void aDuplicateStillServesStreamsTheRemoteOpensOnItWhileItDrains() {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    SwarmNode a = node(ra);
    SwarmNode b = node(rb);
    a.dial(b);
    b.dial(a);
    sched.advanceMillis(10);
    Connection draining = a.swarm.peers().connections().stream().filter(c -> c != live(a, b)).findFirst().orElseThrow();
    // the remote's end of the draining connection: it may not know yet that it lost
    Connection remoteEnd = b.swarm.peers().connections().stream().filter(c -> c != live(b, a)).findFirst().orElseThrow();
    assertThat(remoteEnd.localAddress()).isEqualTo(draining.remoteAddress());
    boolean[] ok = new boolean[1];
    StreamNegotiator.open(remoteEnd, List.of("/test/1"), sched, 1_000, new StreamNegotiator.SelectCallback() {
      @Override
      public void selected(MuxedStream s, String protocol, ByteBuf leftover) {
        leftover.release();
        ok[0] = true;
      }

      @Override
      public void failed(MuxedStream s, String reason) {}
    });
    sched.advanceMillis(10);
    assertThat(ok[0]).isTrue();
    assertThat(ra.inbound).hasSize(1);
    assertThat(ra.inbound.get(0).connection()).isSameAs(draining);
    // an exchange on it keeps it open past the grace ...
    sched.advanceMillis(1_000);
    assertThat(draining.isOpen()).isTrue();
    // ... and once its last stream is done and the remote uses the survivor, it closes
    ra.inbound.get(0).reset();
    useLive(b, a);
    sched.advanceMillis(500);
    assertThat(draining.isOpen()).isFalse();
    assertThat(a.swarm.peers().connections()).hasSize(1);
    assertThat(a.events("disconnected")).isEmpty();
  }

  @Test
  void anIdleDuplicateStaysWhileTheRemoteHasNotUsedTheSurvivorUntilTheDeadline() {
    SwarmNode a = node(new Recorder());
    SwarmNode b = node(new Recorder());
    a.dial(b);
    b.dial(a);
    sched.advanceMillis(10);
    Connection draining = a.swarm.peers().connections().stream().filter(c -> c != live(a, b)).findFirst().orElseThrow();
    sched.advanceMillis(200L * Swarm.MAX_DRAIN_GRACES - 100);
    assertThat(draining.isOpen()).as("the remote may still take it for its live connection").isTrue();
    sched.advanceMillis(300);
    assertThat(draining.isOpen()).isFalse();
  }

  @Test
  void aDuplicateKeptBusyByTheRemoteStillClosesAtTheDeadline() {
    Recorder ra = new Recorder();
    SwarmNode a = node(ra);
    SwarmNode b = node(new Recorder());
    a.dial(b);
    b.dial(a);
    sched.advanceMillis(10);
    Connection draining = a.swarm.peers().connections().stream().filter(c -> c != live(a, b)).findFirst().orElseThrow();
    Connection remoteEnd = b.swarm.peers().connections().stream().filter(c -> c != live(b, a)).findFirst().orElseThrow();
    StreamNegotiator.open(remoteEnd, List.of("/test/1"), sched, 1_000, new StreamNegotiator.SelectCallback() {
      @Override
      public void selected(MuxedStream s, String protocol, ByteBuf leftover) {
        leftover.release(); // and never closed
      }

      @Override
      public void failed(MuxedStream s, String reason) {}
    });
    sched.advanceMillis(200L * Swarm.MAX_DRAIN_GRACES - 100);
    assertThat(draining.isOpen()).isTrue();
    sched.advanceMillis(300);
    assertThat(draining.isOpen()).isFalse();
    assertThat(a.swarm.peers().isConnected(b.id)).isTrue();
  }

  @Test
  void whenTheLiveConnectionDiesADrainingOneIsPromotedAndThePeerStaysConnected() {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    SwarmNode a = node(ra);
    SwarmNode b = node(rb);
    a.dial(b);
    b.dial(a);
    sched.advanceMillis(10);
    Connection dying = live(a, b);
    long replacedBefore = ra.count("replaced");
    dying.close("test: the live connection dies");
    sched.advanceMillis(10);
    assertThat(a.swarm.peers().isConnected(b.id)).isTrue();
    assertThat(b.swarm.peers().isConnected(a.id)).isTrue();
    assertThat(live(a, b)).isNotSameAs(dying);
    assertThat(ra.count("replaced")).isEqualTo(replacedBefore + 1);
    sched.advanceMillis(1_000); // the promoted connection's drain timer was cancelled
    assertThat(a.swarm.peers().connections()).hasSize(1);
    assertThat(live(a, b).isOpen()).isTrue();
    assertThat(a.events("disconnected")).isEmpty();
    assertThat(b.events("disconnected")).isEmpty();
  }

  @Test
  void theLastConnectionClosingDisconnectsThePeerServicesFirstThenTheHost() {
    Recorder ra = new Recorder();
    SwarmNode a = node(ra);
    SwarmNode b = node(new Recorder());
    a.dial(b);
    sched.advanceMillis(10);
    live(a, b).close("bye");
    sched.advanceMillis(10);
    assertThat(a.events("disconnected")).containsExactly("disconnected " + b.id + " LOCAL_CLOSE");
    assertThat(b.events("disconnected")).containsExactly("disconnected " + a.id + " REMOTE_CLOSE");
    assertThat(ra.heard).containsExactly("connected", "disconnected LOCAL_CLOSE");
    assertThat(a.swarm.peers().isConnected(b.id)).isFalse();
  }

  @Test
  void admissionRefusesOrEvictsBeforeThePeerIsTaken() {
    SwarmNode a = node(new Recorder());
    SwarmNode b = node(new Recorder());
    SwarmNode c = node(new Recorder());
    List<PeerId> asked = new ArrayList<>();
    a.swarm.setAdmission((table, peer, dir, addr) -> {
      asked.add(peer);
      if (peer.equals(c.id)) {
        return table.isConnected(b.id) ? Admission.Decision.evict(b.id, "c replaces b") : Admission.Decision.ACCEPT;
      }
      return asked.size() == 1 ? Admission.Decision.refuse("not yet") : Admission.Decision.ACCEPT;
    });
    Future<Connection> first = b.dial(a);
    sched.advanceMillis(10);
    assertThat(first.isSuccess()).isTrue(); // b's side took it; a closed it at once
    assertThat(a.events("connected")).isEmpty();
    assertThat(b.events("disconnected")).hasSize(1);
    b.dial(a);
    sched.advanceMillis(10);
    assertThat(a.swarm.peers().isConnected(b.id)).isTrue();
    c.dial(a);
    sched.advanceMillis(10);
    assertThat(a.swarm.peers().isConnected(c.id)).isTrue();
    assertThat(a.swarm.peers().isConnected(b.id)).isFalse();
    assertThat(a.events).containsExactly("connected " + b.id, "disconnected " + b.id + " LOCAL_CLOSE", "connected " + c.id);
  }

  @Test
  void dnsNamesAreResolvedThroughTheInjectedResolverAndFailuresSayWhatHappened() throws Exception {
    List<String> lookups = new ArrayList<>();
    DnsResolver resolver = (name, family) -> {
      lookups.add(name + " " + family);
      CompletableFuture<List<InetAddress>> f = new CompletableFuture<>();
      // answered later, as a real resolver thread would (the swarm hops back onto its loop)
      sched.schedule(5_000_000, () -> {
        try {
          switch (name) {
            case "node-b.test" -> f.complete(List.of(InetAddress.getByAddress(new byte[] {10, 0, 0, 1})));
            case "empty.test" -> f.complete(List.of());
            case "slow.test" -> {} // never answers
            default -> f.completeExceptionally(new UnknownHostException(name));
          }
        } catch (UnknownHostException e) {
          f.completeExceptionally(e);
        }
      });
      return f;
    };
    SwarmConfig cfg = CFG.withDnsResolver(resolver);
    SwarmNode a = new SwarmNode(net, sched, cfg);
    a.listen();
    SwarmNode b = node(new Recorder());
    String port = b.addr().toString().split("/")[4];
    Future<Connection> ok = a.swarm.dial(Multiaddr.parse("/dns4/node-b.test/tcp/" + port + "/p2p/" + b.id), Duration.ofSeconds(5));
    Future<Connection> unknown = a.swarm.dial(Multiaddr.parse("/dns/no-such.test/tcp/1"), Duration.ofSeconds(5));
    Future<Connection> empty = a.swarm.dial(Multiaddr.parse("/dns6/empty.test/tcp/1"), Duration.ofSeconds(5));
    Future<Connection> slow = a.swarm.dial(Multiaddr.parse("/dns4/slow.test/tcp/1"), Duration.ofSeconds(2));
    assertThat(lookups).containsExactly("node-b.test IPV4", "no-such.test ANY", "empty.test IPV6", "slow.test IPV4");
    assertThat(ok.isDone()).isFalse(); // nothing blocked: the answer comes later
    sched.advanceMillis(3_000);
    assertThat(ok.isSuccess()).isTrue();
    assertThat(ok.getNow().remoteAddress().toString()).startsWith("/ip4/10.0.0.1/tcp/" + port);
    assertThat(reason(unknown).kind()).isEqualTo(CloseReason.Kind.UNRESOLVABLE);
    assertThat(reason(unknown).detail()).contains("no-such.test");
    assertThat(reason(empty).kind()).isEqualTo(CloseReason.Kind.UNRESOLVABLE);
    assertThat(reason(slow).kind()).isEqualTo(CloseReason.Kind.TIMEOUT);
    assertThat(reason(slow).detail()).contains("DNS lookup of slow.test");
    assertThat(a.events("dialFailed")).hasSize(3);
  }

  @Test
  void dialsThatCannotWorkFailWithTheirReason() throws Exception {
    SwarmNode a = node(new Recorder());
    SwarmNode b = node(new Recorder());
    Future<Connection> nobody = a.swarm.dial(Multiaddr.parse("/ip4/10.0.0.1/tcp/1"), Duration.ofSeconds(1));
    Future<Connection> self = a.swarm.dial(a.addr(), Duration.ofSeconds(1));
    Future<Connection> wrong = a.swarm.dial(b.addr().withP2p(a.id.toBytes()), Duration.ofSeconds(1));
    Future<Connection> noTransport = a.swarm.dial(Multiaddr.parse("/ip4/10.0.0.1/udp/1/quic-v1"), Duration.ofSeconds(1));
    sched.advanceMillis(10);
    assertThat(reason(nobody).kind()).isEqualTo(CloseReason.Kind.CONNECTION_REFUSED);
    assertThat(reason(self).kind()).isEqualTo(CloseReason.Kind.REFUSED);
    assertThat(reason(wrong).kind()).isIn(CloseReason.Kind.PEER_ID_MISMATCH, CloseReason.Kind.REFUSED);
    assertThat(reason(noTransport).detail()).contains("no transport");
    assertThat(a.events("dialFailed")).hasSize(4);
  }

  @Test
  void concurrentDialsOfOnePeerShareOneAttempt() {
    SwarmNode a = node(new Recorder());
    SwarmNode b = node(new Recorder());
    Future<Connection> one = a.dial(b);
    Future<Connection> two = a.dial(b);
    sched.advanceMillis(10);
    assertThat(one.getNow()).isSameAs(two.getNow());
    assertThat(b.swarm.peers().connections()).hasSize(1);
    // and a dial to a connected peer returns its live connection without any I/O
    assertThat(a.dial(b).getNow()).isSameAs(one.getNow());
  }

  @Test
  void theConnectionCapClosesNewConnectionsAtOnce() {
    SwarmNode a = new SwarmNode(net, sched, CFG.withMaxConnections(1));
    a.listen();
    SwarmNode b = node(new Recorder());
    SwarmNode c = node(new Recorder());
    b.dial(a);
    sched.advanceMillis(10);
    c.dial(a);
    sched.advanceMillis(10);
    assertThat(a.swarm.peers().size()).isEqualTo(1);
    assertThat(c.events("disconnected")).hasSize(1);
  }

  private static CloseReason reason(Future<Connection> f) {
    assertThat(f.isDone()).as("dial finished").isTrue();
    assertThat(f.cause()).isInstanceOf(ConnectionException.class);
    return ((ConnectionException) f.cause()).reason();
  }

  @Test
  void thePeerTableCarriesTheLeanPeerMetricsWithTheirLabels() throws Exception {
    DnsResolver never = (name, family) -> new CompletableFuture<>();
    SwarmNode a = new SwarmNode(net, sched, CFG.withDnsResolver(never));
    a.listen();
    SwarmNode b = node(new Recorder());
    SwarmNode c = node(new Recorder());
    a.dial(b);
    c.dial(a);
    a.swarm.dial(Multiaddr.parse("/ip4/10.0.0.1/tcp/1"), Duration.ofSeconds(1)); // refused: error
    a.swarm.dial(Multiaddr.parse("/dns4/slow.test/tcp/1"), Duration.ofSeconds(1)); // timeout
    sched.advanceMillis(2_000);
    a.swarm.disconnect(b.id, "bye"); // local close of an outbound peer
    c.swarm.disconnect(a.id, "bye"); // remote close of an inbound peer
    sched.advanceMillis(10);
    io.leanp2p.node.metrics.MetricsSnapshot.Builder mb = new io.leanp2p.node.metrics.MetricsSnapshot.Builder();
    a.swarm.metrics(mb);
    io.leanp2p.node.metrics.MetricsSnapshot m = mb.build();
    assertThat(m.value("lean_peer_connection_events_total", java.util.Map.of("direction", "outbound", "result", "success")))
        .isEqualTo(1);
    assertThat(m.value("lean_peer_connection_events_total", java.util.Map.of("direction", "inbound", "result", "success")))
        .isEqualTo(1);
    assertThat(m.value("lean_peer_connection_events_total", java.util.Map.of("direction", "outbound", "result", "error")))
        .isEqualTo(1);
    assertThat(m.value("lean_peer_connection_events_total", java.util.Map.of("direction", "outbound", "result", "timeout")))
        .isEqualTo(1);
    assertThat(m.value("lean_peer_disconnection_events_total", java.util.Map.of("direction", "outbound", "reason", "local_close")))
        .isEqualTo(1);
    assertThat(m.value("lean_peer_disconnection_events_total", java.util.Map.of("direction", "inbound", "reason", "remote_close")))
        .isEqualTo(1);
    assertThat(m.value("lean_peer_disconnection_events_total", java.util.Map.of("direction", "inbound", "reason", "error")))
        .isEqualTo(0);
    assertThat(m.value("lean_connected_peers", java.util.Map.of("client", "unknown"))).isEqualTo(0);
    // while connected, peers are counted by client (no identify here: "unknown")
    SwarmNode d = node(new Recorder());
    a.dial(d);
    sched.advanceMillis(10);
    mb = new io.leanp2p.node.metrics.MetricsSnapshot.Builder();
    a.swarm.metrics(mb);
    assertThat(mb.build().value("lean_connected_peers", java.util.Map.of("client", "unknown"))).isEqualTo(1);
  }

  @Test
  void clientNamesFromAgentVersionsAreSafeBoundedLabels() {
    assertThat(PeerTable.clientName("Lighthouse/v5.1.0-abc/x86_64")).isEqualTo("lighthouse");
    assertThat(PeerTable.clientName("zeam")).isEqualTo("zeam");
    assertThat(PeerTable.clientName(null)).isEqualTo("unknown");
    assertThat(PeerTable.clientName("/x")).isEqualTo("unknown");
    assertThat(PeerTable.clientName("evil\"}{label=\"x".repeat(10))).matches("[a-z0-9._-]{1,32}");
  }
}
