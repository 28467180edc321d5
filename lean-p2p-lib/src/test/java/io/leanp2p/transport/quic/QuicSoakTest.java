package io.leanp2p.transport.quic;

import static io.leanp2p.transport.quic.QuicTransportTest.awaitStats;
import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.transport.Connection;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.config.QuicConfig;

/** 200 connect / stream / disconnect cycles leave no channels, streams, fds or direct memory. */
@Timeout(300)
class QuicSoakTest {

  private static int openFds() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }

  private static long usedDirect() {
    return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
  }

  /**
   * {@code n} cycles, {@code parallel} at a time: dial, one echo stream, close,
   * and wait until both sides saw the close.
   * Whole batches close from the dialer, then from the listener, alternately.
   */
  private static void cycles(QuicNode a, QuicNode b, Multiaddr addr, int n, int parallel)
      throws Exception {
    for (int i = 0; i < n; i += parallel) {
      List<io.netty.util.concurrent.Future<Connection>> dials = new ArrayList<>();
      for (int k = 0; k < parallel; k++) {
        dials.add(a.transport.dial(addr, b.peerId, Duration.ofSeconds(20)));
      }
      List<Connection> all = new ArrayList<>();
      for (var d : dials) {
        Connection ca = d.get(30, TimeUnit.SECONDS);
        all.add(ca);
        assertThat(a.echo(ca, new byte[] {(byte) i, 2, 3}).get(30, TimeUnit.SECONDS).bytes()).isEqualTo(3);
      }
      for (int k = 0; k < parallel; k++) {
        Connection cb = b.connections.poll(30, TimeUnit.SECONDS);
        assertThat(cb).as("inbound connection %d", i + k).isNotNull();
        all.add(cb);
        Connection ca = all.get(k);
        if ((i / parallel) % 2 == 0) { // whole batches close from one side or the other
          a.loop.execute(() -> ca.close("cycle"));
        } else {
          b.loop.execute(() -> cb.close("cycle"));
        }
      }
      for (Connection c : all) {
        assertThat(c.closeFuture().await(30, TimeUnit.SECONDS)).isTrue();
      }
      a.connections.clear();
    }
  }

  @Test
  void twoHundredConnectDisconnectCyclesLeaveNothingBehind() throws Exception {
    try (QuicNode a = new QuicNode(QuicConfig.defaults());
        QuicNode b = new QuicNode(QuicConfig.defaults())) {
      Multiaddr addr = b.listen();
      cycles(a, b, addr, 20, 5); // warm-up: pools, class loading
      awaitStats(a, s -> s.openUdpChannels() == 1 && s.openConnections() == 0 && s.openStreams() == 0);
      int fds0 = openFds();
      long direct0 = usedDirect();
      long t0 = System.nanoTime();
      cycles(a, b, addr, 200, 5);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      awaitStats(a, s -> s.openUdpChannels() == 1 && s.openConnections() == 0 && s.openStreams() == 0);
      awaitStats(b, s -> s.openUdpChannels() == 1 && s.openConnections() == 0 && s.openStreams() == 0);
      QuicTransportStats sa = a.transport.stats();
      QuicTransportStats sb = b.transport.stats();
      assertThat(sa.dialsSucceeded()).isEqualTo(220);
      assertThat(sb.inboundAccepted()).isEqualTo(220);
      assertThat(sa.streamsOpened()).isEqualTo(220);
      assertThat(sb.streamsOpened()).isEqualTo(220);
      int fds1 = openFds();
      long direct1 = usedDirect();
      System.err.printf(
          "soak: 200 cycles in %d ms; fds %d -> %d; direct %d -> %d bytes%n",
          ms, fds0, fds1, direct0, direct1);
      // one UDP socket per dial: a leak would show as ~200 extra descriptors
      assertThat(fds1 - fds0).isLessThan(10);
      assertThat(direct1 - direct0).isLessThan(16L << 20);
    }
  }
}
