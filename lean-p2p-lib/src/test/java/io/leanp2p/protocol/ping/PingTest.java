package io.leanp2p.protocol.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.testing.MemoryStreams;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PingTest {
  final VirtualScheduler sched = new VirtualScheduler();

  MemoryStreams.ConnectionPair pair(ProtocolRegistry reg, long latencyMs) {
    var c =
        MemoryStreams.connections(
            sched, null, null, null, null, null, MemoryStreams.Options.defaults().latencyMillis(latencyMs));
    c.listener().inboundStreamHandler(s -> StreamNegotiator.listen(s, reg, sched, 5000));
    return c;
  }

  @Test
  void rttIsMeasuredOnTheInjectedClock() {
    ProtocolRegistry reg = new ProtocolRegistry();
    Ping responder = new Ping(sched, new Random(1), 5000);
    responder.register(reg);
    var c = pair(reg, 10);
    var f = new Ping(sched, new Random(2), 5000).ping(c.dialer());
    sched.advanceMillis(1000);
    assertThat(f.isSuccess()).as(String.valueOf(f.cause())).isTrue();
    // the payload goes out optimistically with the negotiation: one round trip of 2 x 10 ms
    assertThat(f.getNow()).isGreaterThanOrEqualTo(Duration.ofMillis(20)).isLessThan(Duration.ofMillis(100));
    assertThat(responder.served()).isEqualTo(1);
  }

  @Test
  void wrongEchoFails() {
    ProtocolRegistry reg = new ProtocolRegistry();
    reg.register(Ping.PROTOCOL, (s, left) -> {
      left.release();
      s.handler((st, d) -> {
        d.setByte(d.readerIndex(), d.getByte(d.readerIndex()) ^ 1);
        st.write(d);
      });
    });
    var c = pair(reg, 1);
    var f = new Ping(sched, new Random(3), 5000).ping(c.dialer());
    sched.advanceMillis(1000);
    assertThat(f.cause()).hasMessageContaining("wrong echo");
  }

  @Test
  void silentPeerTimesOut() {
    ProtocolRegistry reg = new ProtocolRegistry();
    reg.register(Ping.PROTOCOL, (s, left) -> {
      left.release();
      s.handler((st, d) -> d.release());
    });
    var c = pair(reg, 1);
    var f = new Ping(sched, new Random(4), 300).ping(c.dialer());
    sched.advanceMillis(299);
    assertThat(f.isDone()).isFalse();
    sched.advanceMillis(1);
    assertThat(f.cause()).isInstanceOf(java.util.concurrent.TimeoutException.class);
  }
}
