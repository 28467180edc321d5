package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.CloseReason;
import io.leanp2p.config.DnsResolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.leanp2p.testing.Networks;
import org.junit.jupiter.api.Timeout;

/** Bootnodes of every kind (issue #13, item 4) and persistent dials across a restart (item 5). */
@Timeout(180)
class BootnodesAndDialsTest {
  static final Duration T = Duration.ofSeconds(30);
  static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  @RegisterExtension final Networks nets = new Networks();

  /** Resolves {@code localhost} to 127.0.0.1 on a thread of its own; every other name is unknown. */
  static final DnsResolver LOCAL_ONLY = (name, family) -> CompletableFuture.supplyAsync(() -> {
    if (!name.equals("localhost")) {
      throw new IllegalStateException(new UnknownHostException(name));
    }
    try {
      return List.of(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  });

  private static String port(LeanNetwork n) throws Exception {
    return n.ready().get().get(0).toString().split("/")[4];
  }

  @Test
  void aBootnodeListMixingADnsNameAnUnresolvableNameABadEnrAndAGoodPeerConnectsToTheGoodOnes() throws Exception {
    EventRecorder rb = new EventRecorder();
    EventRecorder rc = new EventRecorder();
    LeanNetwork b = nets.start(NetworkConfig.builder().name("dns-b").listen("/ip4/127.0.0.1/udp/0/quic-v1"), rb);
    LeanNetwork c = nets.start(NetworkConfig.builder().name("dns-c").listen("/ip4/127.0.0.1/tcp/0"), rc);
    b.subscribe(TOPIC);
    PeerId nobody = PeerId.fromPublicKey(Secp256k1PrivateKey.generate(new SecureRandom()).publicKey());
    List<String> bootnodes = List.of(
        "/dns4/localhost/udp/" + port(b) + "/quic-v1/p2p/" + b.localPeerId(),
        "/dns4/no-such-host.invalid/udp/9000/quic-v1/p2p/" + nobody,
        "enr:-notanenr",
        c.ready().get().get(0).toString());
    EventRecorder ra = new EventRecorder();
    LeanNetwork a = nets.start(NetworkConfig.builder().name("dns-a").listen("/ip4/127.0.0.1/udp/0/quic-v1")
        .bootnodes(bootnodes).dnsResolver(LOCAL_ONLY).reconnect(ReconnectPolicy.never()), ra);
    a.subscribe(TOPIC);
    ra.await(NetworkEvent.PeerConnected.class, e -> e.peer().equals(b.localPeerId()), T);
    ra.await(NetworkEvent.PeerConnected.class, e -> e.peer().equals(c.localPeerId()), T);
    List<NetworkEvent.ConnectionFailed> failed = ra.awaitCount(NetworkEvent.ConnectionFailed.class, e -> true, 2, T);
    assertThat(failed).anySatisfy(f -> {
      assertThat(f.peer()).isEqualTo(nobody);
      assertThat(f.reason().kind()).isEqualTo(CloseReason.Kind.UNRESOLVABLE);
      assertThat(f.reason().detail()).contains("no-such-host.invalid");
      assertThat(f.willRetry()).isFalse();
    });
    assertThat(failed).anySatisfy(f -> {
      assertThat(f.address()).isNull();
      assertThat(f.reason().kind()).isEqualTo(CloseReason.Kind.REFUSED);
      assertThat(f.reason().detail()).contains("enr:-notanenr");
    });
    // the node's timers run on: the gossip heartbeat grafts the good peer
    ra.await(NetworkEvent.MeshChange.class, m -> m.peer().equals(b.localPeerId()) && m.grafted(), T);
    assertThat(ra.all(NetworkEvent.ConnectionFailed.class)).as("one failure per bad entry").hasSize(2);
    assertThat(a.snapshot().peers()).hasSize(2);
  }

  @Test
  void aDns4LocalhostBootnodeIsResolvedByTheSystemResolver() throws Exception {
    EventRecorder rb = new EventRecorder();
    LeanNetwork b = nets.start(NetworkConfig.builder().name("sysdns-b").listen("/ip4/127.0.0.1/tcp/0"), rb);
    EventRecorder ra = new EventRecorder();
    nets.start(NetworkConfig.builder().name("sysdns-a").listen("/ip4/127.0.0.1/tcp/0")
        .bootnodes(List.of("/dns4/localhost/tcp/" + port(b) + "/p2p/" + b.localPeerId())), ra);
    NetworkEvent.PeerConnected up = ra.await(NetworkEvent.PeerConnected.class, T);
    assertThat(up.peer()).isEqualTo(b.localPeerId());
    assertThat(up.address().toString()).startsWith("/ip4/127.0.0.1/tcp/" + port(b));
  }

  @Test
  void aPersistentDialReconnectsAPeerThatRestartsOnTheSameAddress() throws Exception {
    PrivateKey keyB = Secp256k1PrivateKey.generate(new SecureRandom());
    EventRecorder rb1 = new EventRecorder();
    LeanNetwork b1 = LeanNetwork.start(NetworkConfig.builder().name("pd-b1").identity(keyB)
        .listen("/ip4/127.0.0.1/tcp/0").build(), rb1);
    Multiaddr bAddr = b1.awaitReady(T).get(0);
    EventRecorder ra = new EventRecorder();
    ReconnectPolicy fast = new ReconnectPolicy(List.of(Duration.ofMillis(200), Duration.ofMillis(400)), 20);
    LeanNetwork a = nets.start(NetworkConfig.builder().name("pd-a").listen("/ip4/127.0.0.1/tcp/0").reconnect(fast), ra);
    assertThat(a.dial(bAddr.withoutP2p().toString(), true).kind()).as("a persistent dial needs the peer id")
        .isEqualTo(Outcome.Kind.INVALID);
    assertThat(a.dial(bAddr.toString(), true)).isEqualTo(Outcome.ACCEPTED);
    ra.await(NetworkEvent.PeerConnected.class, e -> e.peer().equals(b1.localPeerId()), T);
    b1.close();
    ra.await(NetworkEvent.PeerDisconnected.class, T);
    // while it is down, the redials fail, counted, each saying another follows
    ra.await(NetworkEvent.ConnectionFailed.class, T);
    EventRecorder rb2 = new EventRecorder();
    LeanNetwork b2 = nets.start(NetworkConfig.builder().name("pd-b2").identity(keyB)
        .listen("/ip4/127.0.0.1/tcp/" + bAddr.toString().split("/")[4]), rb2);
    ra.awaitCount(NetworkEvent.PeerConnected.class, e -> e.peer().equals(b2.localPeerId()), 2, T);
    List<NetworkEvent.ConnectionFailed> failed = ra.all(NetworkEvent.ConnectionFailed.class);
    assertThat(failed).allSatisfy(f -> assertThat(f.willRetry()).isTrue());
    for (int i = 0; i < failed.size(); i++) {
      assertThat(failed.get(i).attempt()).isEqualTo(i + 1);
    }
    assertThat(ra.all(NetworkEvent.DialGaveUp.class)).isEmpty();
    // a disconnect by the host ends it: no more redials
    assertThat(a.disconnect(b2.localPeerId())).isEqualTo(Outcome.ACCEPTED);
    ra.awaitCount(NetworkEvent.PeerDisconnected.class, e -> true, 2, T);
  }
}
