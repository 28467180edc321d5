package io.leanp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.testing.TestNode;
import io.leanp2p.types.TransportKind;
import io.leanp2p.transport.quic.QuicTransport;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;

/**
 * QUIC v1 + libp2p TLS against js-libp2p's QUIC (@chainsafe/libp2p-quic 2.1.1 = rust-libp2p's
 * quinn + rustls): the {@link JsInteropScenario} both directions. A QUIC stream is gone once both
 * FINs are through, so the streams may take a moment to drain after the 100-stream echoes (js once
 * stalled on streams whose FIN came in a trailing empty frame: FIN now rides on the data).
 */
@Timeout(180)
class QuicInteropTest extends JsInteropScenario<QuicTransport> {
  QuicInteropTest() {
    super(
        TransportKind.QUIC,
        new Bounds(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(90)),
        TestNode::quic);
  }

  /** Dials share one client UDP endpoint: after our close the listener's and that one are left. */
  @Override
  void checkTransportAfterLocalClose(TestNode<QuicTransport> java) {
    assertThat(java.transport.stats().openUdpChannels()).isEqualTo(2);
  }
}
