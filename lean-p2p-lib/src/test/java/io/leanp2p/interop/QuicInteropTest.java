package io.leanp2p.interop;

import static io.leanp2p.testing.JsPeer.cmd;
import static io.leanp2p.testing.JsPeer.dbl;
import static io.leanp2p.testing.JsPeer.event;
import static io.leanp2p.testing.JsPeer.list;
import static io.leanp2p.testing.JsPeer.num;
import static io.leanp2p.testing.JsPeer.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.identify.IdentifyInfo;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.testing.JsPeer;
import io.leanp2p.transport.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.Direction;
import io.leanp2p.transport.TransportKind;
import io.leanp2p.transport.quic.QuicTestNode;
import io.leanp2p.transport.tcp.EchoProtocol;
import io.leanp2p.transport.tcp.TcpInteropSupport;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * QUIC v1 + libp2p TLS against js-libp2p's QUIC (@chainsafe/libp2p-quic 2.1.1 = rust-libp2p's
 * quinn + rustls), both directions: connection with the right PeerIds and quic-v1 addresses,
 * identify both ways, ping both ways, 100 streams in a row each way, a 10 MiB echo on one stream
 * each way, and a clean close seen on both sides.
 */
class QuicInteropTest {
  private static final String ECHO = EchoProtocol.ID;
  private static final Duration T = Duration.ofSeconds(30);

  @BeforeAll
  static void requireNode() {
    JsPeer.assumeAvailable();
  }

  @Test
  @Timeout(180)
  void javaDialsJs() throws Exception {
    try (JsPeer js = JsPeer.start(JsPeer.Options.defaults().withTcpPort("off"));
        QuicTestNode java = new QuicTestNode()) {
      java.listen();
      Multiaddr jsAddr = Multiaddr.parse(js.quicAddr());
      assertThat(jsAddr.isQuic()).isTrue();
      Connection c = java.await(() -> java.cm.dial(jsAddr, T), T);

      assertThat(c.remotePeer().toBase58()).isEqualTo(js.peerId());
      assertThat(c.transport()).isEqualTo(TransportKind.QUIC);
      assertThat(c.remoteAddress()).isEqualTo(jsAddr);
      assertThat(c.remoteAddress().toString()).contains("/udp/").contains("/quic-v1/p2p/");
      assertThat(c.direction()).isEqualTo(Direction.OUTBOUND);
      QuicTestNode.Event up = java.awaitEvent("connected", T);
      assertThat(up.peer().toBase58()).isEqualTo(js.peerId());
      assertThat(up.direction()).isEqualTo("outbound");
      Map<String, Object> jsUp = js.awaitEvent(event("connected", "peer", java.id.toBase58()), T);
      assertThat(str(jsUp, "direction")).isEqualTo("inbound");
      assertThat(str(jsUp, "addr")).contains("/udp/" + c.localAddress().toSocketAddress().getPort() + "/quic-v1");

      checkIdentifyPingStreamsEcho(js, java, c);

      java.onLoop(() -> {
        c.close("test done");
        return null;
      });
      QuicTestNode.Event down = java.awaitEvent("disconnected", T);
      assertThat(down.reason().kind()).isEqualTo(CloseReason.Kind.LOCAL_CLOSE);
      js.awaitEvent(event("disconnected", "peer", java.id.toBase58()), T);
      assertThat(java.quic.stats().openUdpChannels()).isEqualTo(1); // only the listener is left
    }
  }

  @Test
  @Timeout(180)
  void jsDialsJava() throws Exception {
    try (JsPeer js = JsPeer.start(JsPeer.Options.defaults().withTcpPort("off"));
        QuicTestNode java = new QuicTestNode()) {
      java.listen();
      Map<String, Object> dialed = js.request(cmd("dial", "addr", java.p2pAddr().toString()), "dialed", T);
      assertThat(str(dialed, "peer")).isEqualTo(java.id.toBase58());
      QuicTestNode.Event up = java.awaitEvent("connected", T);
      assertThat(up.peer().toBase58()).isEqualTo(js.peerId());
      assertThat(up.direction()).isEqualTo("inbound");
      Map<String, Object> jsUp = js.awaitEvent(event("connected", "peer", java.id.toBase58()), T);
      assertThat(str(jsUp, "direction")).isEqualTo("outbound");
      assertThat(str(jsUp, "addr")).isEqualTo(java.p2pAddr().toString());
      Connection c = java.onLoop(() -> java.cm.connection(up.peer()).orElseThrow());
      assertThat(c.remoteAddress().toString()).startsWith("/ip4/127.0.0.1/udp/").endsWith("/quic-v1/p2p/" + js.peerId());

      checkIdentifyPingStreamsEcho(js, java, c);

      js.request(cmd("hangup", "peer", java.id.toBase58()), "hungup", T);
      QuicTestNode.Event down = java.awaitEvent("disconnected", T);
      assertThat(down.reason().kind()).isEqualTo(CloseReason.Kind.REMOTE_CLOSE);
      js.awaitEvent(event("disconnected", "peer", java.id.toBase58()), T);
      assertThat(java.onLoop(() -> java.cm.connections().size())).isZero();
    }
  }

  @Test
  @Timeout(120)
  void dialingJsWithTheWrongPeerIdFailsWithPeerIdMismatch() throws Exception {
    try (JsPeer js = JsPeer.start(JsPeer.Options.defaults().withTcpPort("off"));
        QuicTestNode java = new QuicTestNode();
        QuicTestNode other = new QuicTestNode()) {
      Multiaddr wrong = Multiaddr.parse(js.quicAddr()).withoutP2p().withP2p(other.id.toBytes());
      try {
        java.await(() -> java.cm.dial(wrong, T), T);
        throw new AssertionError("dial to a wrong PeerId succeeded");
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(io.leanp2p.transport.ConnectionException.class);
        CloseReason r = ((io.leanp2p.transport.ConnectionException) e.getCause()).reason();
        assertThat(r.kind()).isEqualTo(CloseReason.Kind.PEER_ID_MISMATCH);
        assertThat(r.detail()).contains(js.peerId());
      }
      assertThat(java.awaitEvent("dialFailed", T).reason().kind()).isEqualTo(CloseReason.Kind.PEER_ID_MISMATCH);
    }
  }

  private void checkIdentifyPingStreamsEcho(JsPeer js, QuicTestNode java, Connection c) throws Exception {
    // identify: Java asks js
    IdentifyInfo info = java.await(() -> java.identify.identify(c), T);
    assertThat(info.protocols()).contains(ECHO, Ping.PROTOCOL, Identify.PROTOCOL);
    assertThat(info.agentVersion()).isNotEmpty();
    assertThat(info.listenAddrs()).extracting(Multiaddr::toString).anyMatch(a -> js.quicAddr().startsWith(a));
    assertThat(info.observedAddr().toString()).contains("/quic-v1");
    // identify: js asks Java
    Map<String, Object> id = js.request(cmd("identify", "peer", java.id.toBase58()), "identify", T);
    assertThat(list(id, "protocols")).contains(ECHO, Ping.PROTOCOL, Identify.PROTOCOL);
    assertThat(str(id, "agentVersion")).startsWith("lean-p2p/");
    assertThat(list(id, "listenAddrs")).extracting(Object::toString).anyMatch(a -> a.startsWith(java.listenAddr.toString()));

    // ping both ways
    Duration rtt = java.await(() -> java.ping.ping(c), T);
    assertThat(rtt).isPositive().isLessThan(T);
    Map<String, Object> ping = js.request(cmd("ping", "peer", java.id.toBase58()), "ping", T);
    assertThat(dbl(ping, "wallMs")).isPositive();
    assertThat(java.onLoop(() -> java.ping.served())).isGreaterThanOrEqualTo(1);

    // 100 streams opened and closed in a row, each way
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < 100; i++) {
      byte[] d = ("stream " + i).getBytes();
      byte[] got = java.await(() -> TcpInteropSupport.echo(c, java.sched, d, 1024), T);
      assertThat(got).as("stream %d", i).isEqualTo(sha.digest(d));
    }
    // (js stalled on streams whose FIN came in a trailing empty frame: FIN now rides on the data)
    Map<String, Object> e100 =
        js.request(cmd("echo", "peer", java.id.toBase58(), "size", 100, "streams", 100), "echo", Duration.ofSeconds(60));
    assertThat(e100.get("ok")).as(e100.toString()).isEqualTo(true);
    assertThat(num(e100, "streams")).isEqualTo(100);
    awaitNoStreams(java, c);

    // 10 MiB on one stream, each way
    byte[] big = new byte[10 * 1024 * 1024];
    new Random(11).nextBytes(big);
    byte[] got = java.await(() -> TcpInteropSupport.echo(c, java.sched, big, 64 * 1024), Duration.ofSeconds(90));
    assertThat(got).isEqualTo(sha.digest(big));
    Map<String, Object> e10 =
        js.request(cmd("echo", "peer", java.id.toBase58(), "size", 10 * 1024 * 1024, "streams", 1, "timeoutMs", 90000), "echo", Duration.ofSeconds(90));
    assertThat(e10.get("ok")).as(e10.toString()).isEqualTo(true);
    assertThat(num(e10, "bytes")).isEqualTo(10L * 1024 * 1024);
    assertThat(java.onLoop(c::isOpen)).isTrue();
  }

  private static void awaitNoStreams(QuicTestNode java, Connection c) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (java.onLoop(() -> QuicTestNode.openStreams(c)) != 0) {
      if (System.nanoTime() > end) {
        throw new AssertionError("streams still open: " + java.onLoop(() -> QuicTestNode.openStreams(c)));
      }
      Thread.sleep(20);
    }
  }
}
