package io.leanp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.testing.JsPeer;
import io.leanp2p.testing.TestNode;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.TransportKind;
import io.leanp2p.transport.tcp.TcpInteropSupport;
import io.leanp2p.transport.tcp.TcpTransport;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP stack (multistream, Noise XX, Yamux, identify, ping) against js-libp2p: the {@link
 * JsInteropScenario} both directions, with exact addresses on both sides, no Yamux stream left
 * after the 100-stream echoes and no Yamux error counted (the 10 MiB echo has both windows in
 * play).
 */
@Timeout(120)
class TcpInteropTest extends JsInteropScenario<TcpTransport> {
  TcpInteropTest() {
    super(TransportKind.TCP, new Bounds(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(60)));
  }

  @Override
  JsPeer startJs() throws Exception {
    return JsPeer.start(JsPeer.Options.defaults().withQuicPort("off"));
  }

  @Override
  TestNode<TcpTransport> newNode() {
    return TestNode.tcp();
  }

  @Override
  String jsAddr(JsPeer js) {
    return js.tcpAddr();
  }

  @Override
  String addrPrefix() {
    return "/ip4/127.0.0.1/tcp/";
  }

  @Override
  String addrSuffixBeforePeer() {
    return "/p2p/";
  }

  @Override
  void checkJsSeesOurDialAddr(String jsSideAddr, Connection c, TestNode<TcpTransport> java) {
    assertThat(jsSideAddr).isEqualTo(c.localAddress().toString() + "/p2p/" + java.id.toBase58());
  }

  @Override
  void checkObservedAddr(Multiaddr observed, Connection c) {
    assertThat(observed.withoutP2p()).isEqualTo(c.localAddress()); // js appends our /p2p/
  }

  /** Yamux forgets a stream as soon as both halves are closed: none may be left. */
  @Override
  void checkNoStreamsLeft(TestNode<TcpTransport> java, Connection c) throws Exception {
    assertThat(java.onLoop(() -> TcpInteropSupport.openStreams(c))).isZero();
  }

  @Override
  void checkTransportAfterEchoes(TestNode<TcpTransport> java) {
    assertThat(java.transport.yamuxErrorCounters().snapshot()).isEmpty();
  }

  @Override
  void checkTransportAfterLocalClose(TestNode<TcpTransport> java) {
    // nothing TCP-specific: the closed connection leaves no transport state to check
  }
}
