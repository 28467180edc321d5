package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.LeanProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reproduction of issue #13's first finding: two nodes dial each other at the same moment,
 * then status requests. Before the peer table, the duplicate rule closed one connection while the
 * node kept using it: every request failed NOT_CONNECTED.
 */
@org.junit.jupiter.api.Timeout(300)
class SimultaneousDialTest {
  static final Duration T = Duration.ofSeconds(20);
  private final List<LeanNetwork> nets = new ArrayList<>();

  @AfterEach
  void closeAll() {
    nets.forEach(LeanNetwork::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"quic", "tcp"})
  void bothDialAtOnceThenRequestsWork(String transport) throws Exception {
    for (int round = 0; round < 5; round++) {
      EventRecorder ra = new EventRecorder();
      EventRecorder rb = new EventRecorder();
      LeanNetwork a = LeanNetwork.start(NetworkConfig.builder().name("sa" + round)
          .listen(LeanNetworkTest.listenFor(transport)).duplicateGrace(Duration.ofMillis(300)).build(), ra);
      LeanNetwork b = LeanNetwork.start(NetworkConfig.builder().name("sb" + round)
          .listen(LeanNetworkTest.listenFor(transport)).duplicateGrace(Duration.ofMillis(300)).build(), rb);
      nets.add(a);
      nets.add(b);
      String addrA = a.awaitReady(T).get(0).toString();
      String addrB = b.awaitReady(T).get(0).toString();
      ra.also(e -> {
        if (e instanceof NetworkEvent.InboundRequest r) {
          a.sendResponseChunk(r.channelId(), r.data());
          a.endResponse(r.channelId());
        }
      });
      assertThat(a.dial(addrB)).isEqualTo(Outcome.ACCEPTED);
      assertThat(b.dial(addrA)).isEqualTo(Outcome.ACCEPTED);
      ra.await(NetworkEvent.PeerConnected.class, T);
      rb.await(NetworkEvent.PeerConnected.class, T);
      for (int i = 0; i < 3; i++) {
        RequestHandle h = b.sendRequest(a.localPeerId(), LeanProtocol.STATUS, new byte[80]);
        assertThat(h.outcome()).isEqualTo(Outcome.ACCEPTED);
        NetworkEvent ev = rb.await(NetworkEvent.class, e -> (e instanceof NetworkEvent.EndOfStream x && x.requestId() == h.requestId())
            || (e instanceof NetworkEvent.RequestFailed f && f.requestId() == h.requestId()), T);
        assertThat(ev).as("round %d request %d", round, i).isInstanceOf(NetworkEvent.EndOfStream.class);
      }
      assertThat(ra.all(NetworkEvent.PeerDisconnected.class)).isEmpty();
      assertThat(rb.all(NetworkEvent.PeerDisconnected.class)).isEmpty();
      a.close();
      b.close();
    }
  }
}
