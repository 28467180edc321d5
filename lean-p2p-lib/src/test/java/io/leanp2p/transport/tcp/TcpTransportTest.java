package io.leanp2p.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.protocol.identify.IdentifyInfo;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.testing.TestNode;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.node.swarm.SwarmConfig;
import io.leanp2p.types.Direction;
import io.leanp2p.util.Scheduler;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.config.TcpConfig;

@Timeout(60)
class TcpTransportTest {
  static final Duration T = Duration.ofSeconds(10);

  @Test
  void javaToJavaConnectIdentifyPingEchoAndDisconnect() throws Exception {
    try (TestNode<TcpTransport> a = TestNode.tcp();
        TestNode<TcpTransport> b = TestNode.tcp()) {
      b.listen();
      a.listen();
      Connection c = a.await(() -> a.dial(b.p2pAddr(), T), T);
      assertThat(c.remotePeer()).isEqualTo(b.id);
      assertThat(c.direction()).isEqualTo(Direction.OUTBOUND);
      assertThat(c.remoteAddress()).isEqualTo(b.p2pAddr());
      TestNode.Event ea = a.awaitEvent("connected", T);
      TestNode.Event eb = b.awaitEvent("connected", T);
      assertThat(ea.peer()).isEqualTo(b.id);
      assertThat(ea.direction()).isEqualTo("outbound");
      assertThat(eb.peer()).isEqualTo(a.id);
      assertThat(eb.direction()).isEqualTo("inbound");
      assertThat(eb.addr()).endsWith("/p2p/" + a.id.toBase58());

      IdentifyInfo info = a.await(() -> a.identify.identify(c), T);
      assertThat(info.publicKey()).isEqualTo(b.key.publicKey());
      assertThat(info.protocols()).contains(Ping.PROTOCOL, EchoProtocol.ID, "/ipfs/id/1.0.0");
      assertThat(info.listenAddrs()).containsExactly(b.listenAddr);
      assertThat(info.agentVersion()).startsWith("lean-p2p/");
      assertThat(info.observedAddr()).isEqualTo(c.localAddress());

      Duration rtt = a.await(() -> a.ping.ping(c), T);
      assertThat(rtt).isPositive().isLessThan(T);
      assertThat(b.onLoop(() -> b.ping.served())).isEqualTo(1);

      byte[] data = new byte[3 * 1024 * 1024 + 17];
      new Random(7).nextBytes(data);
      byte[] digest = a.await(() -> EchoClient.run(c, Scheduler.of(a.loop), data, 64 * 1024), T);
      assertThat(digest).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));

      a.onLoop(() -> {
        c.close("test done");
        return null;
      });
      TestNode.Event da = a.awaitEvent("disconnected", T);
      TestNode.Event db = b.awaitEvent("disconnected", T);
      assertThat(da.reason().kind()).isEqualTo(CloseReason.Kind.LOCAL_CLOSE);
      assertThat(db.reason().kind()).isEqualTo(CloseReason.Kind.REMOTE_CLOSE);
    }
  }

  @Test
  void hundredStreamsInARow() throws Exception {
    try (TestNode<TcpTransport> a = TestNode.tcp();
        TestNode<TcpTransport> b = TestNode.tcp()) {
      b.listen();
      Connection c = a.await(() -> a.dial(b.p2pAddr(), T), T);
      for (int i = 0; i < 100; i++) {
        byte[] d = new byte[] {(byte) i, 1, 2};
        byte[] digest = a.await(() -> EchoClient.run(c, Scheduler.of(a.loop), d, 1024), T);
        assertThat(digest).isEqualTo(MessageDigest.getInstance("SHA-256").digest(d));
      }
      int open = a.onLoop(() -> a.openStreams(c));
      assertThat(open).isZero();
    }
  }

  @Test
  void wrongPeerIdOnDialFailsWithMismatch() throws Exception {
    try (TestNode<TcpTransport> a = TestNode.tcp();
        TestNode<TcpTransport> b = TestNode.tcp()) {
      b.listen();
      PeerId other = PeerId.fromPublicKey(Secp256k1PrivateKey.generate(new SecureRandom()).publicKey());
      Multiaddr wrong = b.listenAddr.withP2p(other.toBytes());
      assertThatThrownBy(() -> a.await(() -> a.dial(wrong, T), T))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              ConnectionException.class,
              e -> assertThat(e.reason().kind()).isEqualTo(CloseReason.Kind.PEER_ID_MISMATCH));
      TestNode.Event f = a.awaitEvent("dialFailed", T);
      assertThat(f.reason().kind()).isEqualTo(CloseReason.Kind.PEER_ID_MISMATCH);
      assertThat(f.reason().detail()).contains(other.toBase58()).contains(b.id.toBase58());
      assertThat(a.onLoop(() -> a.connections().size())).isZero();
    }
  }

  @Test
  void dialWithoutPeerIdLearnsItAndRequirePeerIdRefusesIt() throws Exception {
    try (TestNode<TcpTransport> a = TestNode.tcp();
        TestNode<TcpTransport> strict =
            TestNode.tcp(TcpConfig.defaults(), SwarmConfig.defaults().withMaxConnections(16).withRequirePeerIdOnDial(true));
        TestNode<TcpTransport> b = TestNode.tcp()) {
      b.listen();
      Connection c = a.await(() -> a.dial(b.listenAddr, T), T);
      assertThat(c.remotePeer()).isEqualTo(b.id);
      assertThat(c.remoteAddress()).isEqualTo(b.p2pAddr());
      // a second dial to the now known peer returns the same connection
      Connection again = a.await(() -> a.dial(b.p2pAddr(), T), T);
      assertThat(again).isSameAs(c);
      assertThatThrownBy(() -> strict.await(() -> strict.dial(b.listenAddr, T), T))
          .cause()
          .isInstanceOfSatisfying(
              ConnectionException.class,
              e -> assertThat(e.reason().kind()).isEqualTo(CloseReason.Kind.REFUSED));
    }
  }

  @Test
  void dialToSelfIsRefused() throws Exception {
    try (TestNode<TcpTransport> a = TestNode.tcp()) {
      a.listen();
      assertThatThrownBy(() -> a.await(() -> a.dial(a.p2pAddr(), T), T))
          .cause()
          .isInstanceOfSatisfying(
              ConnectionException.class,
              e -> assertThat(e.reason().kind()).isEqualTo(CloseReason.Kind.REFUSED));
    }
  }

  @Test
  void peerThatStallsMidHandshakeTimesOut() throws Exception {
    TcpConfig cfg = TcpConfig.defaults().withUpgradeTimeout(Duration.ofMillis(500));
    try (TestNode<TcpTransport> a = TestNode.tcp(cfg, SwarmConfig.defaults());
        ServerSocket stall = new ServerSocket()) {
      stall.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread t =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (Socket s = stall.accept()) {
                      // agree to multistream + /noise, then say nothing more
                      var out = s.getOutputStream();
                      out.write(new byte[] {0x13});
                      out.write("/multistream/1.0.0\n".getBytes());
                      out.write(new byte[] {0x07});
                      out.write("/noise\n".getBytes());
                      out.flush();
                      Thread.sleep(5000);
                    } catch (Exception e) {
                      // closed by the test
                    }
                  });
      Multiaddr addr = Multiaddr.tcp((InetSocketAddress) stall.getLocalSocketAddress());
      long start = System.nanoTime();
      assertThatThrownBy(() -> a.await(() -> a.dial(addr, T), T))
          .cause()
          .isInstanceOfSatisfying(
              ConnectionException.class,
              e -> assertThat(e.reason().kind()).isEqualTo(CloseReason.Kind.TIMEOUT));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
      assertThat(a.transport.upgradeFailureCounters().get(CloseReason.Kind.TIMEOUT)).isEqualTo(1);
      t.interrupt();
    }
  }

  @Test
  void simultaneousDialsKeepExactlyOneConnectionOnBothSides() throws Exception {
    SwarmConfig fast = SwarmConfig.defaults().withDuplicateGrace(Duration.ofMillis(200));
    try (TestNode<TcpTransport> a = TestNode.tcp(TcpConfig.defaults(), fast);
        TestNode<TcpTransport> b = TestNode.tcp(TcpConfig.defaults(), fast)) {
      a.listen();
      b.listen();
      var fa = a.onLoop(() -> a.dial(b.p2pAddr(), T));
      var fb = b.onLoop(() -> b.dial(a.p2pAddr(), T));
      fa.await(10_000);
      fb.await(10_000);
      assertThat(fa.isSuccess()).isTrue();
      assertThat(fb.isSuccess()).isTrue();
      a.awaitDuplicatesClosed(T); // the loser drains for the grace period, then closes
      b.awaitDuplicatesClosed(T);
      Connection ca = a.onLoop(() -> a.connection(b.id).orElseThrow());
      Connection cb = b.onLoop(() -> b.connection(a.id).orElseThrow());
      assertThat(a.onLoop(() -> a.connections().size())).isEqualTo(1);
      assertThat(b.onLoop(() -> b.connections().size())).isEqualTo(1);
      // the same TCP connection on both sides: a's local is b's remote
      assertThat(ca.localAddress()).isEqualTo(cb.remoteAddress().withoutP2p());
      assertThat(ca.isOpen()).isTrue();
    }
  }
}
