package io.leanp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.testing.JsPeer;
import io.leanp2p.testing.TestNode;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.TransportKind;
import io.leanp2p.transport.quic.QuicInteropSupport;
import io.leanp2p.transport.quic.QuicTransport;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;

/**
 * QUIC v1 + libp2p TLS against js-libp2p's QUIC (@chainsafe/libp2p-quic 2.1.1 = rust-libp2p's
 * quinn + rustls): the {@link JsInteropScenario} both directions, with quic-v1 addresses, streams
 * closed on both sides soon after the echoes, and only the listener's UDP channel left after our
 * close.
 */
@Timeout(180)
class QuicInteropTest extends JsInteropScenario<QuicTransport> {
  QuicInteropTest() {
    super(TransportKind.QUIC, new Bounds(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(90)));
  }

  @Override
  JsPeer startJs() throws Exception {
    return JsPeer.start(JsPeer.Options.defaults().withTcpPort("off"));
  }

  @Override
  TestNode<QuicTransport> newNode() {
    return TestNode.quic();
  }

  @Override
  String jsAddr(JsPeer js) {
    return js.quicAddr();
  }

  @Override
  String addrPrefix() {
    return "/ip4/127.0.0.1/udp/";
  }

  @Override
  String addrSuffixBeforePeer() {
    return "/quic-v1/p2p/";
  }

  @Override
  void checkJsSeesOurDialAddr(String jsSideAddr, Connection c, TestNode<QuicTransport> java) {
    assertThat(jsSideAddr).contains("/udp/" + c.localAddress().toSocketAddress().getPort() + "/quic-v1");
  }

  @Override
  void checkObservedAddr(Multiaddr observed, Connection c) {
    assertThat(observed.toString()).contains("/quic-v1");
  }

  /** A QUIC stream is gone once both sides' FIN and the peer's stream credit are through: wait. */
  @Override
  void checkNoStreamsLeft(TestNode<QuicTransport> java, Connection c) throws Exception {
    // (js stalled on streams whose FIN came in a trailing empty frame: FIN now rides on the data)
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (java.onLoop(() -> QuicInteropSupport.openStreams(c)) != 0) {
      if (System.nanoTime() > end) {
        throw new AssertionError("streams still open: " + java.onLoop(() -> QuicInteropSupport.openStreams(c)));
      }
      Thread.sleep(20);
    }
  }

  @Override
  void checkTransportAfterEchoes(TestNode<QuicTransport> java) {
    // nothing QUIC-specific: the connection staying open is checked by the scenario
  }

  @Override
  void checkTransportAfterLocalClose(TestNode<QuicTransport> java) {
    assertThat(java.transport.stats().openUdpChannels()).isEqualTo(1); // only the listener is left
  }
}
