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
import io.leanp2p.transport.tcp.TcpInteropSupport;
import io.leanp2p.transport.tcp.TcpTestNode;
import io.leanp2p.util.Scheduler;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP stack (multistream, Noise XX, Yamux, identify, ping) against js-libp2p, both
 * directions: connection with the right PeerIds and addresses, identify both ways, ping both
 * ways, 100 streams in a row, a 10 MiB echo on one stream (both windows in play), and a clean
 * disconnect seen on both sides.
 */
class TcpInteropTest {
  private static final String ECHO = "/leanp2p/test/echo/1.0.0";
  private static final Duration T = Duration.ofSeconds(20);

  @BeforeAll
  static void requireNode() {
    JsPeer.assumeAvailable();
  }

  @Test
  @Timeout(120)
  void javaDialsJs() throws Exception {
    try (JsPeer js = JsPeer.start(JsPeer.Options.defaults().withQuicPort("off"));
        TcpTestNode java = new TcpTestNode()) {
      java.listen();
      Multiaddr jsAddr = Multiaddr.parse(js.tcpAddr());
      Connection c = java.await(() -> java.cm.dial(jsAddr, T), T);

      // connection up with the right PeerIds and remote addresses on both sides
      assertThat(c.remotePeer().toBase58()).isEqualTo(js.peerId());
      assertThat(c.remoteAddress()).isEqualTo(jsAddr);
      assertThat(c.direction()).isEqualTo(Direction.OUTBOUND);
      TcpTestNode.Event up = java.awaitEvent("connected", T);
      assertThat(up.peer().toBase58()).isEqualTo(js.peerId());
      Map<String, Object> jsUp = js.awaitEvent(event("connected", "peer", java.id.toBase58()), T);
      assertThat(str(jsUp, "direction")).isEqualTo("inbound");
      assertThat(str(jsUp, "addr")).isEqualTo(c.localAddress().toString() + "/p2p/" + java.id.toBase58());

      checkIdentifyPingStreamsEcho(js, java, c);

      // clean disconnect, we close
      java.onLoop(() -> {
        c.close("test done");
        return null;
      });
      TcpTestNode.Event down = java.awaitEvent("disconnected", T);
      assertThat(down.reason().kind()).isEqualTo(CloseReason.Kind.LOCAL_CLOSE);
      js.awaitEvent(event("disconnected", "peer", java.id.toBase58()), T);
    }
  }

  @Test
  @Timeout(120)
  void jsDialsJava() throws Exception {
    try (JsPeer js = JsPeer.start(JsPeer.Options.defaults().withQuicPort("off"));
        TcpTestNode java = new TcpTestNode()) {
      java.listen();
      Map<String, Object> dialed = js.request(cmd("dial", "addr", java.p2pAddr().toString()), "dialed", T);
      assertThat(str(dialed, "peer")).isEqualTo(java.id.toBase58());
      TcpTestNode.Event up = java.awaitEvent("connected", T);
      assertThat(up.peer().toBase58()).isEqualTo(js.peerId());
      assertThat(up.direction()).isEqualTo("inbound");
      Map<String, Object> jsUp = js.awaitEvent(event("connected", "peer", java.id.toBase58()), T);
      assertThat(str(jsUp, "direction")).isEqualTo("outbound");
      assertThat(str(jsUp, "addr")).isEqualTo(java.p2pAddr().toString());
      Connection c = java.onLoop(() -> java.cm.connection(up.peer()).orElseThrow());
      assertThat(c.remoteAddress().toString()).startsWith("/ip4/127.0.0.1/tcp/").endsWith("/p2p/" + js.peerId());

      checkIdentifyPingStreamsEcho(js, java, c);

      // clean disconnect, js closes
      js.request(cmd("hangup", "peer", java.id.toBase58()), "hungup", T);
      TcpTestNode.Event down = java.awaitEvent("disconnected", T);
      assertThat(down.reason().kind()).isEqualTo(CloseReason.Kind.REMOTE_CLOSE);
      js.awaitEvent(event("disconnected", "peer", java.id.toBase58()), T);
      assertThat(java.onLoop(() -> java.cm.connections().size())).isZero();
    }
  }

  private void checkIdentifyPingStreamsEcho(JsPeer js, TcpTestNode java, Connection c) throws Exception {
    String jsId = js.peerId();
    // identify: Java asks js
    IdentifyInfo info = java.await(() -> java.identify.identify(c), T);
    assertThat(info.protocols()).contains(ECHO, Ping.PROTOCOL, Identify.PROTOCOL);
    assertThat(info.agentVersion()).isNotEmpty();
    assertThat(info.observedAddr().withoutP2p()).isEqualTo(c.localAddress()); // js appends our /p2p/
    assertThat(info.listenAddrs()).extracting(Multiaddr::toString).anyMatch(a -> js.tcpAddr().startsWith(a));
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
    Scheduler sched = Scheduler.of(java.loop);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < 100; i++) {
      byte[] d = ("stream " + i).getBytes();
      byte[] got = java.await(() -> TcpInteropSupport.echo(c, sched, d, 1024), T);
      assertThat(got).as("stream %d", i).isEqualTo(sha.digest(d));
    }
    Map<String, Object> e100 = js.request(cmd("echo", "peer", java.id.toBase58(), "size", 100, "streams", 100), "echo", T);
    assertThat(e100.get("ok")).as(e100.toString()).isEqualTo(true);
    assertThat(num(e100, "streams")).isEqualTo(100);
    assertThat(java.onLoop(() -> TcpInteropSupport.openStreams(c))).isZero();

    // 10 MiB on one stream, each way: the sender waits on the remote window, the echo on ours
    byte[] big = new byte[10 * 1024 * 1024];
    new Random(11).nextBytes(big);
    byte[] got = java.await(() -> TcpInteropSupport.echo(c, sched, big, 64 * 1024), Duration.ofSeconds(60));
    assertThat(got).isEqualTo(sha.digest(big));
    Map<String, Object> e10 =
        js.request(cmd("echo", "peer", java.id.toBase58(), "size", 10 * 1024 * 1024, "streams", 1, "timeoutMs", 60000), "echo", Duration.ofSeconds(60));
    assertThat(e10.get("ok")).as(e10.toString()).isEqualTo(true);
    assertThat(num(e10, "bytes")).isEqualTo(10L * 1024 * 1024);
    assertThat(c.isOpen()).isTrue();
    assertThat(java.tcp.yamuxErrorCounters().snapshot()).isEmpty();
  }
}
