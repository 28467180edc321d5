package io.leanp2p.bench;

import io.leanp2p.lean.BlocksByRangeRequest;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.RequestHandle;
import io.leanp2p.lean.LeanProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * blocks_by_range of 1024 × 100 KiB between two networks on loopback, over TCP and QUIC: MB/s of
 * payload and time to first chunk, median of several runs, with the CPU time and the bytes
 * allocated per run by each network's threads (the server's include its host's
 * {@code sendResponseChunk} calls on the delivery thread). Not a JMH benchmark (one request is a
 * 100 MiB transfer); run with {@code java -cp lean-p2p-bench/target/lean-p2p-bench-benchmarks.jar
 * io.leanp2p.bench.ReqRespThroughput [runs] [tcp,quic]}.
 */
public final class ReqRespThroughput {
  private static final int BLOCKS = 1024;
  private static final int BLOCK = 100 * 1024;
  private static final String SERVER = "lean-p2p-rr-server";
  private static final String CLIENT = "lean-p2p-rr-client";

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<String> transports = args.length > 1 ? List.of(args[1].split(",")) : List.of("tcp", "quic");
    System.out.println("<!-- " + Meter.environment() + " -->");
    System.out.println("| transport | runs | median MB/s (min-max) | first chunk median (ms) (min-max) "
        + "| CPU s / run server / client | alloc / payload byte server / client | GC pause % |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (String transport : transports) {
      measure(transport, runs);
    }
    System.exit(0);
  }

  private static void measure(String transport, int runs) throws Exception {
    String listen = transport.equals("tcp") ? "/ip4/127.0.0.1/tcp/0" : "/ip4/127.0.0.1/udp/0/quic-v1";
    byte[][] blocks = new byte[BLOCKS][];
    Random rnd = new Random(7);
    for (int i = 0; i < BLOCKS; i++) {
      blocks[i] = new byte[BLOCK];
      rnd.nextBytes(blocks[i]);
    }
    LeanNetwork[] server = new LeanNetwork[1];
    // the bench repeats full ranges back to back: no inbound rate limit on the server
    var unlimited = io.leanp2p.config.ReqRespConfig.RateLimit.unlimited();
    server[0] = LeanNetwork.start(NetworkConfig.builder().name("rr-server").listen(listen)
        .reqresp(io.leanp2p.config.ReqRespConfig.leanDefaults().withRateLimits(unlimited, unlimited))
        .build(), e -> {
      if (e instanceof NetworkEvent.InboundRequest r) {
        for (byte[] b : blocks) {
          server[0].sendResponseChunk(r.channelId(), b, Duration.ofSeconds(30));
        }
        server[0].endResponse(r.channelId());
      }
    });
    List<Double> mbps = new ArrayList<>();
    List<Double> firstMs = new ArrayList<>();
    Meter meter = new Meter(List.of(SERVER, CLIENT));
    Meter.Snapshot first = null;
    AtomicLong bytes = new AtomicLong();
    AtomicLong firstAt = new AtomicLong();
    CompletableFuture<Void>[] done = new CompletableFuture[1];
    // a 100 MiB response on a loaded machine can take longer than the default 10 s request timeout
    LeanNetwork client = LeanNetwork.start(NetworkConfig.builder().name("rr-client").listen(listen)
        .reqresp(io.leanp2p.config.ReqRespConfig.leanDefaults().withRequestTimeout(Duration.ofSeconds(120)))
        .build(), e -> {
      if (e instanceof NetworkEvent.ResponseChunk c) {
        firstAt.compareAndSet(0, System.nanoTime());
        bytes.addAndGet(c.data().length);
      } else if (e instanceof NetworkEvent.EndOfStream) {
        done[0].complete(null);
      } else if (e instanceof NetworkEvent.RequestFailed f) {
        done[0].completeExceptionally(new IllegalStateException(f.error().toString()));
      }
    });
    try {
      var addrs = server[0].awaitReady(Duration.ofSeconds(60));
      client.awaitReady(Duration.ofSeconds(60));
      client.dial(addrs.get(0).toString());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!client.snapshot().isConnected(server[0].localPeerId()) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      byte[] range = new BlocksByRangeRequest(0, BLOCKS).encode();
      for (int run = 0; run <= runs; run++) { // run 0 warms up
        if (run == 1) {
          first = meter.snapshot();
        }
        bytes.set(0);
        firstAt.set(0);
        done[0] = new CompletableFuture<>();
        long t0 = System.nanoTime();
        RequestHandle h = client.sendRequest(server[0].localPeerId(), LeanProtocol.BLOCKS_BY_RANGE, range);
        if (!h.isAccepted()) {
          throw new IllegalStateException("request refused: " + h.outcome());
        }
        done[0].get(120, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        if (bytes.get() != (long) BLOCKS * BLOCK) {
          throw new IllegalStateException("got " + bytes.get() + " bytes");
        }
        if (run > 0) {
          mbps.add(bytes.get() / 1e6 / ((t1 - t0) / 1e9));
          firstMs.add((firstAt.get() - t0) / 1e6);
        }
      }
      Meter.Snapshot last = meter.snapshot();
      mbps.sort(null);
      firstMs.sort(null);
      double payload = (double) BLOCKS * BLOCK * runs;
      System.out.printf(java.util.Locale.ROOT,
          "| %s | %d | %.1f (%.1f-%.1f) | %.2f (%.2f-%.2f) | %.2f / %.2f | %.2f / %.2f | %.1f |%n",
          transport.toUpperCase(java.util.Locale.ROOT), runs, mbps.get(mbps.size() / 2), mbps.get(0),
          mbps.get(mbps.size() - 1), firstMs.get(firstMs.size() / 2), firstMs.get(0), firstMs.get(firstMs.size() - 1),
          Meter.cpu(first, last, SERVER) / 1e9 / runs, Meter.cpu(first, last, CLIENT) / 1e9 / runs,
          Meter.alloc(first, last, SERVER) / payload, Meter.alloc(first, last, CLIENT) / payload,
          100 * Meter.gcFraction(first, last));
    } finally {
      client.close();
      server[0].close();
    }
  }
}
