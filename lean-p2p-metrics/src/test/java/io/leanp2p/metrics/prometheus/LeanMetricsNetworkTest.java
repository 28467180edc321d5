package io.leanp2p.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real networks on 127.0.0.1 exported through one collector: the leanMetrics connection and
 * disconnection counters move as a peer comes, goes, and a dial fails.
 */
class LeanMetricsNetworkTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  static LeanNetwork start(String name, BlockingQueue<NetworkEvent> events) throws Exception {
    LeanNetwork n = LeanNetwork.start(NetworkConfig.builder().name(name).listen("/ip4/127.0.0.1/udp/0/quic-v1")
        .dialTimeout(Duration.ofSeconds(15)).build(), e -> {
          if (e instanceof NetworkEvent.PeerConnected || e instanceof NetworkEvent.PeerDisconnected
              || e instanceof NetworkEvent.ConnectionFailed) {
            events.add(e);
          }
        });
    n.awaitReady(WAIT);
    return n;
  }

  static <T> T next(BlockingQueue<NetworkEvent> q, Class<T> type) throws InterruptedException {
    NetworkEvent e = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(e).as("waiting for " + type.getSimpleName()).isInstanceOf(type);
    return type.cast(e);
  }

  static String scrape(PrometheusRegistry r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, r.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  static String line(String node, String name, String k, String v, String k2, String v2) {
    return name + "{" + k + "=\"" + v + "\",node=\"" + node + "\"," + k2 + "=\"" + v2 + "\"}";
  }

  static double value(String page, String sample) {
    for (String l : page.split("\n")) {
      if (l.startsWith(sample + " ")) {
        return Double.parseDouble(l.substring(sample.length() + 1));
      }
    }
    throw new AssertionError(sample + " not in\n" + page);
  }

  /** Scrapes until {@code shown} holds or 30 s pass (the metrics follow the loop's 1 s beat). */
  static String scrapeUntil(PrometheusRegistry registry, java.util.function.Predicate<String> shown) throws Exception {
    String page = scrape(registry);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!shown.test(page) && System.nanoTime() < deadline) {
      Thread.sleep(100); // polling the published metrics, bounded by the deadline
      page = scrape(registry);
    }
    return page;
  }

  static double failedDials(String page) {
    String conn = "lean_peer_connection_events_total";
    return value(page, line("b", conn, "direction", "outbound", "result", "timeout"))
        + value(page, line("b", conn, "direction", "outbound", "result", "error"));
  }

  @Test
  @Timeout(180)
  void connectionAndDisconnectionCountersMoveAsPeersComeAndGo() throws Exception {
    BlockingQueue<NetworkEvent> ea = new LinkedBlockingQueue<>();
    BlockingQueue<NetworkEvent> eb = new LinkedBlockingQueue<>();
    try (LeanNetwork a = start("a", ea); LeanNetwork b = start("b", eb)) {
      PrometheusRegistry registry = new PrometheusRegistry();
      registry.register(new LeanP2pCollector(() -> List.of(
          new LeanP2pCollector.Source(Map.of("node", "a"), a::metrics),
          new LeanP2pCollector.Source(Map.of("node", "b"), b::metrics))));
      String conn = "lean_peer_connection_events_total";
      String disc = "lean_peer_disconnection_events_total";
      String p0 = scrape(registry);
      for (String n : List.of("a", "b")) {
        for (String d : List.of("inbound", "outbound")) {
          for (String r : List.of("success", "timeout", "error")) {
            assertThat(value(p0, line(n, conn, "direction", d, "result", r))).isZero();
          }
          for (String r : List.of("timeout", "remote_close", "local_close", "error")) {
            assertThat(value(p0, line(n, disc, "direction", d, "reason", r))).isZero();
          }
        }
      }

      Multiaddr addrA = a.snapshot().listenAddresses().get(0).withP2p(a.localPeerId().toBytes());
      assertThat(b.dial(addrA.toString()).isAccepted()).isTrue();
      next(ea, NetworkEvent.PeerConnected.class);
      next(eb, NetworkEvent.PeerConnected.class);
      // metrics are published with the loop's 1 s metrics beat (the network snapshot, not the
      // metrics, follows each state event): read until both sides show the connection (bounded)
      String p1 = scrapeUntil(registry, p -> value(p, line("a", conn, "direction", "inbound", "result", "success")) > 0
          && value(p, line("b", conn, "direction", "outbound", "result", "success")) > 0);
      assertThat(value(p1, line("a", conn, "direction", "inbound", "result", "success"))).isEqualTo(1);
      assertThat(value(p1, line("b", conn, "direction", "outbound", "result", "success"))).isEqualTo(1);
      assertThat(p1).contains("lean_connected_peers{client=\"");

      assertThat(b.disconnect(a.localPeerId()).isAccepted()).isTrue();
      next(ea, NetworkEvent.PeerDisconnected.class);
      next(eb, NetworkEvent.PeerDisconnected.class);
      String p2 = scrapeUntil(registry, p -> value(p, line("b", disc, "direction", "outbound", "reason", "local_close")) > 0
          && List.of("timeout", "remote_close", "local_close", "error").stream()
              .mapToDouble(r -> value(p, line("a", disc, "direction", "inbound", "reason", r))).sum() > 0);
      assertThat(value(p2, line("b", disc, "direction", "outbound", "reason", "local_close"))).isEqualTo(1);
      double aSide = 0;
      for (String r : List.of("timeout", "remote_close", "local_close", "error")) {
        aSide += value(p2, line("a", disc, "direction", "inbound", "reason", r));
      }
      assertThat(aSide).as(p2).isEqualTo(1);

      int deadPort;
      try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        deadPort = s.getLocalPort();
      }
      Multiaddr nobody = Multiaddr.parse("/ip4/127.0.0.1/udp/" + deadPort + "/quic-v1").withP2p(a.localPeerId().toBytes());
      assertThat(b.dial(nobody.toString()).isAccepted()).isTrue();
      next(eb, NetworkEvent.ConnectionFailed.class);
      String p3 = scrapeUntil(registry, p -> failedDials(p) > 0);
      assertThat(failedDials(p3)).as(p3).isEqualTo(1);
    }
  }
}
