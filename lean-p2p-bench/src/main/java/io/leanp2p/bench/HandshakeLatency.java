package io.leanp2p.bench;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Connection setup between two networks in this JVM on loopback, through the host API: {@code
 * dial} → the dialer's {@code PeerConnected} and the listener's {@code PeerConnected} (so both
 * certificates / both Noise payloads were checked), then {@code disconnect} and wait for both
 * {@code PeerDisconnected} before the next dial. Reports p50 / p90 / p99 of "both sides announced"
 * (and the dialer's own p50), plus the CPU time and bytes allocated per connection of the two
 * networks together. Run with {@code java -cp lean-p2p-bench/target/lean-p2p-bench-benchmarks.jar
 * io.leanp2p.bench.HandshakeLatency [dials] [quic,tcp]}.
 */
public final class HandshakeLatency {
  private static final String A = "lean-p2p-hs-a";
  private static final String B = "lean-p2p-hs-b";

  public static void main(String[] args) throws Exception {
    int dials = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    List<String> transports = args.length > 1 ? List.of(args[1].split(",")) : List.of("quic", "tcp");
    System.out.println("<!-- " + Meter.environment() + " -->");
    System.out.println("| transport | dials | both announced p50 (ms) | p90 | p99 | dialer p50 (ms) "
        + "| CPU ms / connection (both sides) | alloc / connection |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (String t : transports) {
      measure(t, dials);
    }
    System.exit(0);
  }

  private static void measure(String transport, int dials) throws Exception {
    String listen = transport.equals("tcp") ? "/ip4/127.0.0.1/tcp/0" : "/ip4/127.0.0.1/udp/0/quic-v1";
    LinkedBlockingQueue<Object[]> aEvents = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Object[]> bEvents = new LinkedBlockingQueue<>();
    LeanNetwork a = LeanNetwork.start(NetworkConfig.builder().name("hs-a").listen(listen).build(),
        e -> aEvents.add(new Object[] {System.nanoTime(), e}));
    LeanNetwork b = LeanNetwork.start(NetworkConfig.builder().name("hs-b").listen(listen).build(),
        e -> bEvents.add(new Object[] {System.nanoTime(), e}));
    Meter meter = new Meter(List.of(A, B));
    try {
      var addrs = b.awaitReady(Duration.ofSeconds(60));
      a.awaitReady(Duration.ofSeconds(60));
      String target = addrs.get(0).toString();
      PeerId bId = b.localPeerId();
      int warm = Math.max(20, dials / 5);
      double[] both = new double[dials];
      double[] dialer = new double[dials];
      Meter.Snapshot before = null;
      for (int i = -warm; i < dials; i++) {
        if (i == 0) {
          before = meter.snapshot();
        }
        long t0 = System.nanoTime();
        if (!a.dial(target).isAccepted()) {
          throw new IllegalStateException("dial refused");
        }
        long ta = await(aEvents, NetworkEvent.PeerConnected.class);
        long tb = await(bEvents, NetworkEvent.PeerConnected.class);
        if (i >= 0) {
          dialer[i] = (ta - t0) / 1e6;
          both[i] = (Math.max(ta, tb) - t0) / 1e6;
        }
        a.disconnect(bId);
        await(aEvents, NetworkEvent.PeerDisconnected.class);
        await(bEvents, NetworkEvent.PeerDisconnected.class);
      }
      Meter.Snapshot after = meter.snapshot();
      Arrays.sort(both);
      Arrays.sort(dialer);
      double cpu = (Meter.cpu(before, after, A) + Meter.cpu(before, after, B)) / 1e6 / dials;
      double alloc = (Meter.alloc(before, after, A) + Meter.alloc(before, after, B)) / (double) dials;
      System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s |%n",
          transport.toUpperCase(Locale.ROOT), dials, both[dials / 2], both[(int) (dials * 0.9)],
          both[(int) Math.ceil(dials * 0.99) - 1], dialer[dials / 2], cpu, GossipThroughput.bytes(alloc));
    } finally {
      a.close();
      b.close();
    }
  }

  /** Waits for the next event of {@code type} (others are skipped) and returns its arrival time. */
  private static long await(LinkedBlockingQueue<Object[]> q, Class<?> type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      Object[] e = q.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new IllegalStateException("no " + type.getSimpleName() + " within 20 s");
      }
      if (e[1] instanceof NetworkEvent.ConnectionFailed f) {
        throw new IllegalStateException("connection failed: " + f.reason());
      }
      if (type.isInstance(e[1])) {
        return (long) e[0];
      }
    }
  }
}
