package io.leanp2p.cli;

import io.leanp2p.cli.bench.BenchResult;
import io.leanp2p.cli.bench.GossipBench;
import io.leanp2p.cli.bench.PeerCommands;
import io.leanp2p.peerclient.PeerClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Runs {@code lean-p2p bench}: starts peer processes per pair and transport, measures, writes Markdown. */
final class BenchMain {
  private static final String TOPIC = "/leanconsensus/12345678/bench/ssz_snappy";

  private BenchMain() {}

  static int run(BenchCommand c) {
    for (String p : c.pairs) {
      if (!List.of("ours-ours", "ours-js", "js-ours", "js-js").contains(p)) {
        throw new UsageException("--pairs: unknown pair '" + p + "' (ours-ours, ours-js, js-ours, js-js)");
      }
    }
    for (String t : c.transports) {
      if (!t.equals("tcp") && !t.equals("quic")) {
        throw new UsageException("--transports: unknown transport '" + t + "' (tcp, quic)");
      }
    }
    for (int s : c.sizes) {
      if (s < 16 || s > 10 * 1024 * 1024) {
        throw new UsageException("--sizes: " + s + " is outside [16, 10485760]");
      }
    }
    if (c.window < 1 || c.latencyCount < 1 || c.throughputMb < 1) {
      throw new UsageException("--window, --latency-count and --throughput-mb must be positive");
    }
    PrintStream out = System.out;
    Path root = repoRoot();
    Path logDir = root.resolve("lean-p2p-cli/target/bench-logs");
    String node = System.getenv().getOrDefault("LEANP2P_NODE", "node");
    boolean jsAvailable = Files.isDirectory(root.resolve("interop/js/node_modules"));
    out.println("lean-p2p bench: gossip between two peer processes on 127.0.0.1 (pairs " + c.pairs + ", transports "
        + c.transports + ", sizes " + c.sizes + "); peer logs in " + logDir);
    List<BenchResult> results = new ArrayList<>();
    Rows rows = new Rows(new Progress(new java.io.PrintWriter(out, true), Progress.stdoutIsTerminal(), System::nanoTime, 0),
        c.pairs.size() * c.transports.size() * c.sizes.size(), System.nanoTime());
    for (String pair : c.pairs) {
      String[] who = pair.split("-");
      for (String transport : c.transports) {
        if ((who[0].equals("js") || who[1].equals("js")) && !jsAvailable) {
          for (int size : c.sizes) {
            results.add(BenchResult.failed(who[0], who[1], transport, size, "js peer not installed (npm ci in interop/js)"));
            rows.done++;
          }
          rows.progress.finish(rows.counter() + " " + pair + " " + transport + ": skipped, the js peer is not installed "
              + "(run: cd interop/js && npm ci)");
          continue;
        }
        runPair(who[0], who[1], transport, c, root, logDir, node, results, rows);
      }
    }
    String table = BenchResult.markdownTable(results);
    out.println();
    out.print(table);
    Path file = c.out.isAbsolute() ? c.out : root.resolve(c.out);
    String body = "Measured by `./lean-p2p bench` on " + Instant.now() + " (" + Runtime.getRuntime().availableProcessors()
        + " CPUs, load average " + loadAverage() + ", Java " + Runtime.version() + "). Two peer processes on 127.0.0.1 speaking the peer protocol; "
        + "each row starts with an untimed warm-up (a quarter of the throughput run) so both JITs have compiled the path; "
        + "latency = publish `ts` → receive `ts` (CLOCK_MONOTONIC) with one message in flight ("
        + c.latencyCount + " messages); throughput with a window of " + c.window + " messages ("
        + c.throughputMb + " MB per run, at least 50 messages), time from the first publish command to the last arrival. "
        + "Payloads are built by the publishing peer (`{\"cmd\":\"publish\",\"size\":N}`: counter, nonce, random filler), "
        + "so no payload crosses the driver's pipe; the subscriber reports each arrival as one JSON line with the payload's SHA-256. "
        + "CPU = CPU time of each peer process during the throughput run divided by its duration (1.00 = one core busy; the machine has "
        + Runtime.getRuntime().availableProcessors() + ").\n\n" + table;
    try {
      String doc = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n";
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, BenchResult.replaceSection(doc, "Gossip bench", body), StandardCharsets.UTF_8);
      out.println("written to " + file + " (section 'Gossip bench')");
    } catch (IOException e) {
      throw new UsageException("cannot write " + file + ": " + e.getMessage());
    }
    return results.stream().allMatch(r -> r.error() == null || r.error().startsWith("js peer not installed")) ? 0 : 1;
  }

  /** Progress over the bench's rows (pair x transport x size). */
  private static final class Rows {
    final Progress progress;
    final int total;
    final long start;
    int done;

    Rows(Progress progress, int total, long start) {
      this.progress = progress;
      this.total = total;
      this.start = start;
    }

    String counter() {
      return Progress.counter(done, total, System.nanoTime() - start);
    }
  }

  private static void runPair(String pubKind, String subKind, String transport, BenchCommand c, Path root, Path logDir,
      String node, List<BenchResult> results, Rows rows) {
    List<String> args = List.of("--topics", TOPIC);
    PeerClient pub = null;
    PeerClient sub = null;
    try {
      rows.progress.update(rows.counter() + " " + pubKind + " -> " + subKind + " " + transport + ": starting the peers ...");
      pub = PeerClient.start(pubKind + "-pub", command(pubKind, args, root, node), root, logDir, Duration.ofSeconds(60));
      sub = PeerClient.start(subKind + "-sub", command(subKind, args, root, node), root, logDir, Duration.ofSeconds(60));
      GossipBench.connect(pub, sub, transport, TOPIC);
      for (int size : c.sizes) {
        int count = (int) Math.max(50, (long) c.throughputMb * 1024 * 1024 / size);
        rows.progress.update(rows.counter() + " " + pubKind + " -> " + subKind + " " + transport + " "
            + BenchResult.sizeText(size) + ": warm-up, latency, throughput ...");
        BenchResult r = GossipBench.run(pub, sub, pubKind, subKind, transport, TOPIC, size, c.latencyCount, count, c.window);
        results.add(r);
        rows.done++;
        rows.progress.finish(String.format(Locale.ROOT, "%s %s -> %s %s %s: p50 %.2f ms, p99 %.2f ms, %.0f msgs/s, %.1f MB/s, lost %d",
            rows.counter(), pubKind, subKind, transport, BenchResult.sizeText(size), r.latencyP50Ms(), r.latencyP99Ms(),
            r.msgsPerSec(), r.mbPerSec(), r.lost()));
      }
    } catch (RuntimeException e) {
      rows.done = Math.min(rows.total, rows.done + (int) c.sizes.stream().filter(size -> results.stream().noneMatch(
          r -> r.publisher().equals(pubKind) && r.subscriber().equals(subKind) && r.transport().equals(transport)
              && r.size() == size)).count());
      rows.progress.finish(rows.counter() + " " + pubKind + " -> " + subKind + " " + transport + ": failed: "
          + e.getMessage() + " (peer logs in " + logDir + ")");
      for (int size : c.sizes) {
        if (results.stream().noneMatch(r -> r.publisher().equals(pubKind) && r.subscriber().equals(subKind)
            && r.transport().equals(transport) && r.size() == size)) {
          results.add(BenchResult.failed(pubKind, subKind, transport, size, firstLine(e.getMessage())));
        }
      }
    } finally {
      if (sub != null) {
        sub.stop(Duration.ofSeconds(10));
      }
      if (pub != null) {
        pub.stop(Duration.ofSeconds(10));
      }
    }
  }

  /** The 1-minute load average (numbers from a busy machine are not comparable), or "?". */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static List<String> command(String kind, List<String> args, Path root, String node) {
    return kind.equals("js") ? PeerCommands.js(root, node, args) : PeerCommands.ours(args);
  }

  /** The project root: the nearest directory upwards holding {@code run-tests}, else the working directory. */
  static Path repoRoot() {
    Path cwd = Paths.get("").toAbsolutePath();
    for (Path q = cwd; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("run-tests"))) {
        return q;
      }
    }
    try {
      Path jar = Paths.get(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path q = jar; q != null; q = q.getParent()) {
        if (Files.isRegularFile(q.resolve("run-tests"))) {
          return q;
        }
      }
    } catch (Exception e) {
      // fall through
    }
    return cwd;
  }
}
