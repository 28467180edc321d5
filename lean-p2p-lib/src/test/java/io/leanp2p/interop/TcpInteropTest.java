package io.leanp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.testing.TestNode;
import io.leanp2p.types.TransportKind;
import io.leanp2p.transport.tcp.TcpTransport;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP stack (multistream, Noise XX, Yamux, identify, ping) against js-libp2p: the {@link
 * JsInteropScenario} both directions. Yamux forgets a stream as soon as both halves are closed, so
 * no stream may be left right after the 100-stream echoes.
 */
@Timeout(120)
class TcpInteropTest extends JsInteropScenario<TcpTransport> {
  TcpInteropTest() {
    super(
        TransportKind.TCP,
        new Bounds(Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ZERO, Duration.ofSeconds(60)),
        TestNode::tcp);
  }

  /** The 10 MiB echoes had both Yamux windows in play: no Yamux error may have been counted. */
  @Override
  void checkTransportAfterEchoes(TestNode<TcpTransport> java) {
    assertThat(java.transport.yamuxErrorCounters().snapshot()).isEmpty();
  }
}
