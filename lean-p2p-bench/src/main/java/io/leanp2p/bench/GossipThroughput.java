package io.leanp2p.bench;

import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.Outcome;
import io.leanp2p.protocol.gossipsub.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gossip between two networks in this JVM on loopback, through the host API only (no peer
 * protocol, no JSON): the library's own ceiling, to read next to {@code lean-p2p bench}. For each
 * transport and payload size: an untimed warm-up, then latency with one message in flight
 * (publish call → the subscriber's listener), then throughput with a window of messages in flight.
 * The subscriber ACCEPTs every message. Not JMH (each point is a stream of messages); run with
 * {@code java -cp lean-p2p-bench/target/lean-p2p-bench-benchmarks.jar io.leanp2p.bench.GossipThroughput [MB per run] [tcp,quic] [sizes]}; {@code -Dwindow=N}
 * sets the messages in flight (32), {@code -Dyamux.window=BYTES} the initial Yamux window (experiments).
 */
public final class GossipThroughput {
  private static final String TOPIC = "/leanconsensus/12345678/bench/ssz_snappy";
  private static final int WINDOW = Integer.getInteger("window", 32);

  public static void main(String[] args) throws Exception {
    int mb = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    List<String> transports = args.length > 1 ? List.of(args[1].split(",")) : List.of("tcp", "quic");
    System.out.println("| transport | payload | latency p50 (ms) | latency p99 (ms) | msgs/s | MB/s |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (String transport : transports) {
      int[] sizes = args.length > 2 ? java.util.Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
          : new int[] {1024, 64 * 1024, 512 * 1024};
      for (int size : sizes) {
        measure(transport, size, mb);
      }
    }
    System.exit(0);
  }

  private static void measure(String transport, int size, int mb) throws Exception {
    String listen = transport.equals("tcp") ? "/ip4/127.0.0.1/tcp/0" : "/ip4/127.0.0.1/udp/0/quic-v1";
    Semaphore arrivals = new Semaphore(0);
    AtomicLong lastArrival = new AtomicLong();
    LeanNetwork[] sub = new LeanNetwork[1];
    sub[0] = LeanNetwork.start(config("g-sub", listen), e -> {
      if (e instanceof NetworkEvent.GossipMessage m) {
        lastArrival.set(System.nanoTime());
        sub[0].reportValidation(m.messageId(), Validation.ACCEPT);
        arrivals.release();
      }
    });
    LeanNetwork pub = LeanNetwork.start(config("g-pub", listen), e -> {});
    try {
      var addrs = sub[0].awaitReady(Duration.ofSeconds(10));
      pub.awaitReady(Duration.ofSeconds(10));
      sub[0].subscribe(TOPIC);
      pub.subscribe(TOPIC);
      pub.dial(addrs.get(0).toString());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (pub.snapshot().meshPeers().getOrDefault(TOPIC, List.of()).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      SplittableRandom random = new SplittableRandom(size);
      int count = (int) Math.max(200, (long) mb * 1024 * 1024 / size);
      pump(pub, arrivals, random, size, Math.max(100, count / 4), WINDOW); // warm-up
      double[] lat = new double[Math.min(500, count)];
      for (int i = 0; i < lat.length; i++) {
        byte[] p = payload(random, size);
        long t0 = System.nanoTime();
        publish(pub, p);
        if (!arrivals.tryAcquire(20, TimeUnit.SECONDS)) {
          throw new IllegalStateException("message lost");
        }
        lat[i] = (lastArrival.get() - t0) / 1e6;
      }
      java.util.Arrays.sort(lat);
      long t0 = System.nanoTime();
      pump(pub, arrivals, random, size, count, WINDOW);
      double secs = (lastArrival.get() - t0) / 1e9;
      System.out.printf(java.util.Locale.ROOT, "| %s | %d KiB | %.3f | %.3f | %.0f | %.1f |%n", transport.toUpperCase(),
          size / 1024, lat[lat.length / 2], lat[(int) Math.ceil(lat.length * 0.99) - 1], count / secs,
          count * (double) size / secs / 1e6);
    } finally {
      pub.close();
      sub[0].close();
    }
  }

  private static NetworkConfig config(String name, String listen) {
    NetworkConfig.Builder b = NetworkConfig.builder().name(name).listen(listen);
    String w = System.getProperty("yamux.window");
    if (w != null) {
      b.tcp(io.leanp2p.transport.tcp.TcpConfig.defaults().withYamux(
          io.leanp2p.transport.tcp.yamux.YamuxConfig.defaults().withInitialWindow(Integer.parseInt(w))));
    }
    return b.build();
  }

  private static void pump(LeanNetwork pub, Semaphore arrivals, SplittableRandom random, int size, int count, int window)
      throws InterruptedException {
    int inFlight = 0;
    for (int i = 0; i < count; i++) {
      while (inFlight >= window) {
        if (!arrivals.tryAcquire(20, TimeUnit.SECONDS)) {
          throw new IllegalStateException("stalled with " + inFlight + " in flight");
        }
        inFlight--;
        inFlight -= arrivals.drainPermits();
      }
      publish(pub, payload(random, size));
      inFlight++;
    }
    while (inFlight > 0) {
      if (!arrivals.tryAcquire(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("stalled with " + inFlight + " in flight");
      }
      inFlight--;
    }
  }

  private static void publish(LeanNetwork pub, byte[] p) {
    Outcome o = pub.publishRaw(TOPIC, p);
    if (!o.isAccepted()) {
      throw new IllegalStateException("publish refused: " + o);
    }
  }

  /** Unique incompressible bytes (the first byte 0xff makes it invalid raw snappy: a varint that never ends). */
  private static byte[] payload(SplittableRandom random, int size) {
    byte[] p = new byte[size];
    random.nextBytes(p);
    for (int i = 0; i < 10; i++) {
      p[i] = (byte) 0xff;
    }
    return p;
  }
}
