package io.leanp2p.bench;

import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.Outcome;
import io.leanp2p.types.Validation;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gossip between two networks in this JVM on loopback, through the host API only (no peer
 * protocol, no JSON): the library's own ceiling, to read next to {@code lean-p2p bench}. For each
 * transport and payload size: an untimed warm-up, then latency with one message in flight
 * (publish call → the subscriber's listener), then throughput with a window of messages in flight.
 * The subscriber ACCEPTs every message.
 *
 * <p>Besides wall-clock rates (which move with the machine's load) it reports what does not: CPU
 * time per message and bytes allocated per message of each side (the publisher = the driver thread
 * that calls {@code publishRaw} plus the publishing network's threads; the subscriber = its
 * network's loop and delivery threads), and GC pause time as a share of the throughput run. The
 * driver reuses one payload buffer per size (a counter makes each message unique; {@code
 * publishRaw} copies), so the harness itself allocates nothing per message.
 *
 * <p>Not JMH (each point is a stream of messages); run with {@code java -cp
 * lean-p2p-bench/target/lean-p2p-bench-benchmarks.jar io.leanp2p.bench.GossipThroughput [MB per
 * run] [tcp,quic] [sizes]}; {@code -Dwindow=N} sets the messages in flight (32), {@code
 * -Dyamux.window=BYTES} the initial Yamux window, {@code -Dlatency=false} skips the latency phase.
 */
public final class GossipThroughput {
  private static final String TOPIC = "/leanconsensus/12345678/bench/ssz_snappy";
  private static final int WINDOW = Integer.getInteger("window", 32);
  private static final boolean LATENCY = Boolean.parseBoolean(System.getProperty("latency", "true"));
  private static final String PUB = "lean-p2p-g-pub";
  private static final String SUB = "lean-p2p-g-sub";

  public static void main(String[] args) throws Exception {
    int mb = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    List<String> transports = args.length > 1 ? List.of(args[1].split(",")) : List.of("tcp", "quic");
    int[] sizes = args.length > 2 ? java.util.Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {1024, 64 * 1024, 512 * 1024};
    System.out.println("<!-- " + Meter.environment() + " -->");
    System.out.println("| transport | payload | latency p50 (ms) | latency p99 (ms) | msgs/s | MB/s "
        + "| CPU µs/msg pub / sub | alloc/msg pub / sub (× payload) | GC pause % |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (String transport : transports) {
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
    Meter meter = new Meter(List.of(PUB, SUB));
    try {
      var addrs = sub[0].awaitReady(Duration.ofSeconds(60));
      pub.awaitReady(Duration.ofSeconds(60));
      sub[0].subscribe(TOPIC);
      pub.subscribe(TOPIC);
      pub.dial(addrs.get(0).toString());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (pub.snapshot().meshPeers().getOrDefault(TOPIC, List.of()).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Payloads payloads = new Payloads(size);
      int count = (int) Math.max(200, (long) mb * 1024 * 1024 / size);
      pump(pub, arrivals, payloads, Math.max(100, count / 4), WINDOW); // warm-up
      double p50 = Double.NaN;
      double p99 = Double.NaN;
      if (LATENCY) {
        double[] lat = new double[Math.min(500, count)];
        for (int i = 0; i < lat.length; i++) {
          byte[] p = payloads.next();
          long t0 = System.nanoTime();
          publish(pub, p);
          if (!arrivals.tryAcquire(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("message lost");
          }
          lat[i] = (lastArrival.get() - t0) / 1e6;
        }
        java.util.Arrays.sort(lat);
        p50 = lat[lat.length / 2];
        p99 = lat[(int) Math.ceil(lat.length * 0.99) - 1];
      }
      Meter.Snapshot before = meter.snapshot();
      long t0 = System.nanoTime();
      pump(pub, arrivals, payloads, count, WINDOW);
      double secs = (lastArrival.get() - t0) / 1e9;
      Meter.Snapshot after = meter.snapshot();
      double pubCpu = (Meter.cpu(before, after, PUB) + Meter.cpu(before, after, "driver")) / 1e3 / count;
      double subCpu = Meter.cpu(before, after, SUB) / 1e3 / count;
      double pubAlloc = (Meter.alloc(before, after, PUB) + Meter.alloc(before, after, "driver")) / (double) count;
      double subAlloc = Meter.alloc(before, after, SUB) / (double) count;
      System.out.printf(Locale.ROOT,
          "| %s | %d KiB | %.3f | %.3f | %.0f | %.1f | %.1f / %.1f | %s / %s (%.2f / %.2f) | %.1f |%n",
          transport.toUpperCase(Locale.ROOT), size / 1024, p50, p99, count / secs,
          count * (double) size / secs / 1e6, pubCpu, subCpu, bytes(pubAlloc), bytes(subAlloc),
          pubAlloc / size, subAlloc / size, 100 * Meter.gcFraction(before, after));
    } finally {
      pub.close();
      sub[0].close();
    }
  }

  static String bytes(double b) {
    if (b >= 1 << 20) {
      return String.format(Locale.ROOT, "%.2f MiB", b / (1 << 20));
    }
    if (b >= 1 << 10) {
      return String.format(Locale.ROOT, "%.1f KiB", b / (1 << 10));
    }
    return String.format(Locale.ROOT, "%.0f B", b);
  }

  private static NetworkConfig config(String name, String listen) {
    NetworkConfig.Builder b = NetworkConfig.builder().name(name).listen(listen);
    String w = System.getProperty("yamux.window");
    if (w != null) {
      b.tcp(io.leanp2p.config.TcpConfig.defaults().withYamux(
          io.leanp2p.config.YamuxConfig.defaults().withInitialWindow(Integer.parseInt(w))));
    }
    return b.build();
  }

  private static void pump(LeanNetwork pub, Semaphore arrivals, Payloads payloads, int count, int window)
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
      publish(pub, payloads.next());
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

  /**
   * One reused buffer of incompressible bytes (the first byte 0xff makes it invalid raw snappy: a
   * varint that never ends); bytes 10..17 carry a counter, so every message is unique. Safe to
   * reuse because {@code publishRaw} copies before it returns.
   */
  private static final class Payloads {
    private final byte[] buf;
    private long counter;

    Payloads(int size) {
      buf = new byte[size];
      new SplittableRandom(size).nextBytes(buf);
      for (int i = 0; i < 10; i++) {
        buf[i] = (byte) 0xff;
      }
    }

    byte[] next() {
      long c = ++counter;
      for (int i = 0; i < 8 && 10 + i < buf.length; i++) {
        buf[10 + i] = (byte) (c >>> (8 * i));
      }
      return buf;
    }
  }
}
