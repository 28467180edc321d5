package io.leanp2p.interop;

import static io.leanp2p.peerclient.PeerClient.cmd;
import static io.leanp2p.peerclient.PeerClient.dbl;
import static io.leanp2p.peerclient.PeerClient.event;
import static io.leanp2p.peerclient.PeerClient.list;
import static io.leanp2p.peerclient.PeerClient.num;
import static io.leanp2p.peerclient.PeerClient.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.peerclient.PeerClient;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.identify.IdentifyInfo;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.testing.JsPeer;
import io.leanp2p.testing.TestNode;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.Transport;
import io.leanp2p.types.TransportKind;
import io.leanp2p.transport.tcp.EchoProtocol;
import io.leanp2p.transport.tcp.TcpInteropSupport;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One transport of this stack against js-libp2p (interop/js), both directions: connection with the
 * right PeerIds and addresses on both sides, identify both ways, ping both ways, 100 streams in a
 * row each way, a 10 MiB echo on one stream each way, and a clean close seen on both sides; plus a
 * dial to js under the wrong PeerId. Each subclass, named after its transport, supplies the time
 * bounds and any transport-specific checks, and sets a class-level {@code @Timeout}, which JUnit
 * applies to the inherited tests.
 *
 * @param <T> the transport under test
 */
abstract class JsInteropScenario<T extends Transport> {
  private static final String ECHO = EchoProtocol.ID;

  /**
   * Time bounds of the scenario.
   *
   * @param step one step: dial, event, identify, ping, one stream
   * @param hundredStreams js's 100 streams in a row
   * @param streamsGone how long after the 100-stream echoes streams may stay open on our side
   *     ({@link Duration#ZERO}: none may be left at once)
   * @param tenMib one 10 MiB echo
   */
  record Bounds(Duration step, Duration hundredStreams, Duration streamsGone, Duration tenMib) {}

  private final TransportKind kind;
  private final Duration t;
  private final Bounds bounds;
  private final Supplier<TestNode<T>> nodes;

  /**
   * @param kind the transport under test; js listens on it only
   * @param nodes makes a fresh Java node on that transport
   */
  JsInteropScenario(TransportKind kind, Bounds bounds, Supplier<TestNode<T>> nodes) {
    this.kind = kind;
    this.t = bounds.step();
    this.bounds = bounds;
    this.nodes = nodes;
  }

  @BeforeAll
  static void requireNode() {
    JsPeer.assumeAvailable();
  }

  private PeerClient startJs() throws Exception {
    JsPeer.Options all = JsPeer.Options.defaults();
    return JsPeer.start(
        switch (kind) {
          case TCP -> all.withQuicPort("off");
          case QUIC -> all.withTcpPort("off");
        });
  }

  /** js's listen address on this transport, with its {@code /p2p/}. */
  private String jsAddr(PeerClient js) {
    return switch (kind) {
      case TCP -> js.tcpAddr();
      case QUIC -> js.quicAddr();
    };
  }

  /** Checks that {@code addr} is js's address on this transport over 127.0.0.1, with its PeerId. */
  private void checkIsJsAddr(Multiaddr addr, PeerClient js) {
    String shape =
        switch (kind) {
          case TCP -> "^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/";
          case QUIC -> "^/ip4/127\\.0\\.0\\.1/udp/\\d+/quic-v1/p2p/";
        };
    assertThat(addr.toString()).matches(shape + js.peerId() + "$");
  }

  /**
   * Our end of {@code c} as js on 127.0.0.1 sees it: our local address, with the wildcard address
   * QUIC dials from (one UDP socket per dial) read as 127.0.0.1.
   */
  private Multiaddr ourAddrSeenByJs(Connection c) {
    InetSocketAddress local = c.localAddress().toSocketAddress();
    InetSocketAddress seen =
        local.getAddress().isAnyLocalAddress() ? new InetSocketAddress("127.0.0.1", local.getPort()) : local;
    return switch (kind) {
      case TCP -> Multiaddr.tcp(seen);
      case QUIC -> Multiaddr.quic(seen);
    };
  }

  /** Transport-specific checks after the echoes, with the connection still open; none by default. */
  void checkTransportAfterEchoes(TestNode<T> java) throws Exception {}

  /** Transport-specific checks once our close of the only connection is seen on both sides; none by default. */
  void checkTransportAfterLocalClose(TestNode<T> java) throws Exception {}

  /** Checks that the 100 streams of each side are gone from {@code c}, within {@code bounds.streamsGone()}. */
  private void checkNoStreamsLeft(TestNode<T> java, Connection c) throws Exception {
    long end = System.nanoTime() + bounds.streamsGone().toNanos();
    int open;
    while ((open = java.onLoop(() -> java.openStreams(c))) != 0) {
      if (System.nanoTime() >= end) {
        throw new AssertionError(open + " streams still open " + bounds.streamsGone() + " after the echoes");
      }
      Thread.sleep(20);
    }
  }

  @Test
  void javaDialsJs() throws Exception {
    try (PeerClient js = startJs();
        TestNode<T> java = nodes.get()) {
      java.listen();
      Multiaddr jsAddr = Multiaddr.parse(jsAddr(js));
      assertThat(jsAddr.isQuic()).isEqualTo(kind == TransportKind.QUIC);
      Connection c = java.await(() -> java.dial(jsAddr, t), t);

      // connection up with the right PeerIds and remote addresses on both sides
      assertThat(c.remotePeer().toBase58()).isEqualTo(js.peerId());
      assertThat(c.transport()).isEqualTo(kind);
      assertThat(c.remoteAddress()).isEqualTo(jsAddr);
      checkIsJsAddr(c.remoteAddress(), js);
      assertThat(c.direction()).isEqualTo(Direction.OUTBOUND);
      TestNode.Event up = java.awaitEvent("connected", t);
      assertThat(up.peer().toBase58()).isEqualTo(js.peerId());
      assertThat(up.direction()).isEqualTo("outbound");
      Map<String, Object> jsUp = js.awaitEvent(event("connected", "peer", java.id.toBase58()), t);
      assertThat(str(jsUp, "direction")).isEqualTo("inbound");
      assertThat(str(jsUp, "addr")).isEqualTo(ourAddrSeenByJs(c) + "/p2p/" + java.id.toBase58());

      checkIdentifyPingStreamsEcho(js, java, c);

      // clean disconnect, we close
      java.onLoop(() -> {
        c.close("test done");
        return null;
      });
      TestNode.Event down = java.awaitEvent("disconnected", t);
      assertThat(down.reason().kind()).isEqualTo(CloseReason.Kind.LOCAL_CLOSE);
      js.awaitEvent(event("disconnected", "peer", java.id.toBase58()), t);
      assertThat(java.onLoop(() -> java.connections().size())).isZero();
      checkTransportAfterLocalClose(java);
    }
  }

  @Test
  void jsDialsJava() throws Exception {
    try (PeerClient js = startJs();
        TestNode<T> java = nodes.get()) {
      java.listen();
      Map<String, Object> dialed = js.request(cmd("dial", "addr", java.p2pAddr().toString()), "dialed", t);
      assertThat(str(dialed, "peer")).isEqualTo(java.id.toBase58());
      TestNode.Event up = java.awaitEvent("connected", t);
      assertThat(up.peer().toBase58()).isEqualTo(js.peerId());
      assertThat(up.direction()).isEqualTo("inbound");
      Map<String, Object> jsUp = js.awaitEvent(event("connected", "peer", java.id.toBase58()), t);
      assertThat(str(jsUp, "direction")).isEqualTo("outbound");
      assertThat(str(jsUp, "addr")).isEqualTo(java.p2pAddr().toString());
      Connection c = java.onLoop(() -> java.connection(up.peer()).orElseThrow());
      assertThat(c.transport()).isEqualTo(kind);
      assertThat(c.direction()).isEqualTo(Direction.INBOUND);
      checkIsJsAddr(c.remoteAddress(), js);

      checkIdentifyPingStreamsEcho(js, java, c);

      // clean disconnect, js closes
      js.request(cmd("hangup", "peer", java.id.toBase58()), "hungup", t);
      TestNode.Event down = java.awaitEvent("disconnected", t);
      assertThat(down.reason().kind()).isEqualTo(CloseReason.Kind.REMOTE_CLOSE);
      js.awaitEvent(event("disconnected", "peer", java.id.toBase58()), t);
      assertThat(java.onLoop(() -> java.connections().size())).isZero();
    }
  }

  @Test
  @Timeout(120)
  void dialingJsWithTheWrongPeerIdFailsWithPeerIdMismatch() throws Exception {
    try (PeerClient js = startJs();
        TestNode<T> java = nodes.get();
        TestNode<T> other = nodes.get()) {
      Multiaddr wrong = Multiaddr.parse(jsAddr(js)).withoutP2p().withP2p(other.id.toBytes());
      try {
        java.await(() -> java.dial(wrong, t), t);
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

  private void checkIdentifyPingStreamsEcho(PeerClient js, TestNode<T> java, Connection c) throws Exception {
    // identify: Java asks js
    IdentifyInfo info = java.await(() -> java.identify.identify(c), t);
    assertThat(info.protocols()).contains(ECHO, Ping.PROTOCOL, Identify.PROTOCOL);
    assertThat(info.agentVersion()).isNotEmpty();
    assertThat(info.observedAddr().withoutP2p()).isEqualTo(ourAddrSeenByJs(c)); // js may append our /p2p/
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
