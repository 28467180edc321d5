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
import io.leanp2p.testing.TestNode;
import io.leanp2p.transport.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.transport.Direction;
import io.leanp2p.transport.Transport;
import io.leanp2p.transport.TransportKind;
import io.leanp2p.transport.tcp.EchoProtocol;
import io.leanp2p.transport.tcp.TcpInteropSupport;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One transport of this stack against js-libp2p (interop/js), both directions: connection with the
 * right PeerIds and addresses on both sides, identify both ways, ping both ways, 100 streams in a
 * row each way, a 10 MiB echo on one stream each way, and a clean close seen on both sides; plus a
 * dial to js under the wrong PeerId. Each subclass (named after its transport) supplies the
 * transport-specific checks and sets a class-level {@code @Timeout}, which JUnit applies to the
 * inherited tests.
 *
 * @param <T> the transport under test
 */
abstract class JsInteropScenario<T extends Transport> {
  private static final String ECHO = EchoProtocol.ID;

  /** Bounds for one step (dial, event, identify, ping), the 100-stream echo and the 10 MiB echo. */
  record Bounds(Duration step, Duration hundredStreams, Duration tenMib) {}

  private final TransportKind kind;
  private final Duration t;
  private final Bounds bounds;

  JsInteropScenario(TransportKind kind, Bounds bounds) {
    this.kind = kind;
    this.t = bounds.step();
    this.bounds = bounds;
  }

  @BeforeAll
  static void requireNode() {
    JsPeer.assumeAvailable();
  }

  /** A js peer listening on this transport only. */
  abstract JsPeer startJs() throws Exception;

  abstract TestNode<T> newNode();

  /** js's listen address on this transport, with its {@code /p2p/}. */
  abstract String jsAddr(JsPeer js);

  /** How an address of this transport on 127.0.0.1 starts, e.g. {@code /ip4/127.0.0.1/tcp/}. */
  abstract String addrPrefix();

  /** What follows the port up to the PeerId, e.g. {@code /p2p/}. */
  abstract String addrSuffixBeforePeer();

  /** Checks the address js reports for our outbound connection {@code c}. */
  abstract void checkJsSeesOurDialAddr(String jsSideAddr, Connection c, TestNode<T> java);

  /** Checks the address js observed for us (identify) on {@code c}. */
  abstract void checkObservedAddr(Multiaddr observed, Connection c);

  /** Checks that the 100 streams of each side are gone from {@code c}. */
  abstract void checkNoStreamsLeft(TestNode<T> java, Connection c) throws Exception;

  /** Transport checks after the echoes, with {@code c} still open. */
  abstract void checkTransportAfterEchoes(TestNode<T> java) throws Exception;

  /** Transport checks once our own close of the only connection is seen on both sides. */
  abstract void checkTransportAfterLocalClose(TestNode<T> java) throws Exception;

  @Test
  void javaDialsJs() throws Exception {
    try (JsPeer js = startJs();
        TestNode<T> java = newNode()) {
      java.listen();
      Multiaddr jsAddr = Multiaddr.parse(jsAddr(js));
      assertThat(jsAddr.isQuic()).isEqualTo(kind == TransportKind.QUIC);
      Connection c = java.await(() -> java.cm.dial(jsAddr, t), t);

      // connection up with the right PeerIds and remote addresses on both sides
      assertThat(c.remotePeer().toBase58()).isEqualTo(js.peerId());
      assertThat(c.transport()).isEqualTo(kind);
      assertThat(c.remoteAddress()).isEqualTo(jsAddr);
      assertThat(c.remoteAddress().toString()).startsWith(addrPrefix()).endsWith(addrSuffixBeforePeer() + js.peerId());
      assertThat(c.direction()).isEqualTo(Direction.OUTBOUND);
      TestNode.Event up = java.awaitEvent("connected", t);
      assertThat(up.peer().toBase58()).isEqualTo(js.peerId());
      assertThat(up.direction()).isEqualTo("outbound");
      Map<String, Object> jsUp = js.awaitEvent(event("connected", "peer", java.id.toBase58()), t);
      assertThat(str(jsUp, "direction")).isEqualTo("inbound");
      checkJsSeesOurDialAddr(str(jsUp, "addr"), c, java);

      checkIdentifyPingStreamsEcho(js, java, c);

      // clean disconnect, we close
      java.onLoop(() -> {
        c.close("test done");
        return null;
      });
      TestNode.Event down = java.awaitEvent("disconnected", t);
      assertThat(down.reason().kind()).isEqualTo(CloseReason.Kind.LOCAL_CLOSE);
      js.awaitEvent(event("disconnected", "peer", java.id.toBase58()), t);
      assertThat(java.onLoop(() -> java.cm.connections().size())).isZero();
      checkTransportAfterLocalClose(java);
    }
  }

  @Test
  void jsDialsJava() throws Exception {
    try (JsPeer js = startJs();
        TestNode<T> java = newNode()) {
      java.listen();
      Map<String, Object> dialed = js.request(cmd("dial", "addr", java.p2pAddr().toString()), "dialed", t);
      assertThat(str(dialed, "peer")).isEqualTo(java.id.toBase58());
      TestNode.Event up = java.awaitEvent("connected", t);
      assertThat(up.peer().toBase58()).isEqualTo(js.peerId());
      assertThat(up.direction()).isEqualTo("inbound");
      Map<String, Object> jsUp = js.awaitEvent(event("connected", "peer", java.id.toBase58()), t);
      assertThat(str(jsUp, "direction")).isEqualTo("outbound");
      assertThat(str(jsUp, "addr")).isEqualTo(java.p2pAddr().toString());
      Connection c = java.onLoop(() -> java.cm.connection(up.peer()).orElseThrow());
      assertThat(c.transport()).isEqualTo(kind);
      assertThat(c.direction()).isEqualTo(Direction.INBOUND);
      assertThat(c.remoteAddress().toString()).startsWith(addrPrefix()).endsWith(addrSuffixBeforePeer() + js.peerId());

      checkIdentifyPingStreamsEcho(js, java, c);

      // clean disconnect, js closes
      js.request(cmd("hangup", "peer", java.id.toBase58()), "hungup", t);
      TestNode.Event down = java.awaitEvent("disconnected", t);
      assertThat(down.reason().kind()).isEqualTo(CloseReason.Kind.REMOTE_CLOSE);
      js.awaitEvent(event("disconnected", "peer", java.id.toBase58()), t);
      assertThat(java.onLoop(() -> java.cm.connections().size())).isZero();
    }
  }

  @Test
  @Timeout(120)
  void dialingJsWithTheWrongPeerIdFailsWithPeerIdMismatch() throws Exception {
    try (JsPeer js = startJs();
        TestNode<T> java = newNode();
        TestNode<T> other = newNode()) {
      Multiaddr wrong = Multiaddr.parse(jsAddr(js)).withoutP2p().withP2p(other.id.toBytes());
      try {
        java.await(() -> java.cm.dial(wrong, t), t);
        throw new AssertionError("dial to a wrong PeerId succeeded");
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(ConnectionException.class);
        CloseReason r = ((ConnectionException) e.getCause()).reason();
        assertThat(r.kind()).isEqualTo(CloseReason.Kind.PEER_ID_MISMATCH);
        assertThat(r.detail()).contains(js.peerId());
      }
      assertThat(java.awaitEvent("dialFailed", t).reason().kind()).isEqualTo(CloseReason.Kind.PEER_ID_MISMATCH);
    }
  }

  private void checkIdentifyPingStreamsEcho(JsPeer js, TestNode<T> java, Connection c) throws Exception {
    // identify: Java asks js
    IdentifyInfo info = java.await(() -> java.identify.identify(c), t);
    assertThat(info.protocols()).contains(ECHO, Ping.PROTOCOL, Identify.PROTOCOL);
    assertThat(info.agentVersion()).isNotEmpty();
    checkObservedAddr(info.observedAddr(), c);
    assertThat(info.listenAddrs()).extracting(Multiaddr::toString).anyMatch(a -> jsAddr(js).startsWith(a));
    // identify: js asks Java
    Map<String, Object> id = js.request(cmd("identify", "peer", java.id.toBase58()), "identify", t);
    assertThat(list(id, "protocols")).contains(ECHO, Ping.PROTOCOL, Identify.PROTOCOL);
    assertThat(str(id, "agentVersion")).startsWith("lean-p2p/");
    assertThat(list(id, "listenAddrs")).extracting(Object::toString).anyMatch(a -> a.startsWith(java.listenAddr.toString()));

    // ping both ways
    Duration rtt = java.await(() -> java.ping.ping(c), t);
    assertThat(rtt).isPositive().isLessThan(t);
    Map<String, Object> ping = js.request(cmd("ping", "peer", java.id.toBase58()), "ping", t);
    assertThat(dbl(ping, "wallMs")).isPositive();
    assertThat(java.onLoop(() -> java.ping.served())).isGreaterThanOrEqualTo(1);

    // 100 streams opened and closed in a row, each way
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < 100; i++) {
      byte[] d = ("stream " + i).getBytes();
      byte[] got = java.await(() -> TcpInteropSupport.echo(c, java.sched, d, 1024), t);
      assertThat(got).as("stream %d", i).isEqualTo(sha.digest(d));
    }
    Map<String, Object> e100 =
        js.request(cmd("echo", "peer", java.id.toBase58(), "size", 100, "streams", 100), "echo", bounds.hundredStreams());
    assertThat(e100.get("ok")).as(e100.toString()).isEqualTo(true);
    assertThat(num(e100, "streams")).isEqualTo(100);
    checkNoStreamsLeft(java, c);

    // 10 MiB on one stream, each way: the sender waits on the remote's flow control, the echo on ours
    byte[] big = new byte[10 * 1024 * 1024];
    new Random(11).nextBytes(big);
    byte[] got = java.await(() -> TcpInteropSupport.echo(c, java.sched, big, 64 * 1024), bounds.tenMib());
    assertThat(got).isEqualTo(sha.digest(big));
    Map<String, Object> e10 =
        js.request(
            cmd("echo", "peer", java.id.toBase58(), "size", 10 * 1024 * 1024, "streams", 1, "timeoutMs", bounds.tenMib().toMillis()),
            "echo",
            bounds.tenMib());
    assertThat(e10.get("ok")).as(e10.toString()).isEqualTo(true);
    assertThat(num(e10, "bytes")).isEqualTo(10L * 1024 * 1024);
    assertThat(java.onLoop(c::isOpen)).isTrue();
    checkTransportAfterEchoes(java);
  }
}
