package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.cli.Main;
import io.leanp2p.peerclient.JsonLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code devnet --processes}: the nodes run in child JVMs ({@code devnet-worker}); the parent drives
 * them over pipes. Real processes, real sockets on 127.0.0.1.
 */
class DevnetProcessesTest {
  record Run(int code, String out, String err) {}

  /** Runs the command line on another thread (so the test can watch the children meanwhile). */
  private static CompletableFuture<Run> runAsync(StringWriter out, StringWriter err, String... args) {
    return CompletableFuture.supplyAsync(() -> {
      int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
      return new Run(code, out.toString(), err.toString());
    });
  }

  /** This JVM's live devnet-worker children (other tests may start other children). */
  static List<ProcessHandle> workers() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> commandLine(p).contains(" devnet-worker "))
        .toList();
  }

  /** The process's arguments joined by spaces (from /proc: ProcessHandle.Info drops long command lines). */
  static String commandLine(ProcessHandle p) {
    try {
      return " " + new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ') + " ";
    } catch (java.io.IOException e) {
      return " " + p.info().commandLine().orElse("") + " ";
    }
  }

  @Test
  @Timeout(90)
  void nodesInTwoProcessesGetEveryBlockAndTheLateNodeSyncsAndNoChildIsLeft(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("summary.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int metricsPort = freePorts(3);
    CompletableFuture<Run> run = runAsync(out, err, "devnet", "--nodes", "4", "--processes", "2", "--slots", "5",
        "--slot-ms", "1200", "--block-size", "16384", "--late-join-slot", "2", "--transport", "mixed", "--seed", "11",
        "--json", json.toString(), "--metrics-port", Integer.toString(metricsPort));
    int maxWorkers = 0;
    String process0 = null;
    String process1 = null;
    String lateProcess = null;
    while (!run.isDone()) {
      maxWorkers = Math.max(maxWorkers, workers().size());
      if (process0 == null && out.toString().contains("slot 1/5")) {
        process0 = scrape(metricsPort);
        process1 = scrape(metricsPort + 1);
      }
      if (lateProcess == null && out.toString().contains("slot 4/5")) {
        lateProcess = scrape(metricsPort + 2);
      }
      Thread.sleep(100);
    }
    Run r = run.get(1, TimeUnit.SECONDS);
    // --metrics-port: process k serves its own nodes on PORT+k
    assertThat(r.out()).contains("http://127.0.0.1:" + (metricsPort + 1) + "/metrics (n1, n3)");
    assertThat(process0).contains("node=\"n0\"").contains("node=\"n2\"").doesNotContain("node=\"n1\"");
    assertThat(process1).contains("node=\"n1\"").contains("node=\"n3\"").doesNotContain("node=\"n0\"");
    assertThat(lateProcess).contains("node=\"n4\"").doesNotContain("node=\"n0\"");
    // 2 processes for the 4 nodes + 1 for the late node
    assertThat(maxWorkers).as(r.out() + r.err()).isEqualTo(3);
    assertThat(workers()).as("children left after the run").isEmpty();
    assertThat(r.out()).contains("4 nodes in 2 processes");
    Map<String, Object> s = JsonLines.parseObject(Files.readString(json));
    assertThat(s).as(JsonLines.write(s) + "\n" + r.out() + r.err()).containsEntry("everyNodeGotEveryBlock", true);
    assertThat(((Number) s.get("blocksPublished")).intValue()).isEqualTo(5);
    @SuppressWarnings("unchecked")
    Map<String, Object> sync = (Map<String, Object>) s.get("sync");
    assertThat(sync).containsEntry("lateNode", true);
    // the late node (n4, a process of its own) is started in slot 3 and joins before its publishes
    assertThat(((Number) sync.get("startedSlot")).intValue()).isEqualTo(3);
    assertThat(((Number) sync.get("countedFromSlot")).intValue()).as(JsonLines.write(s)).isEqualTo(3);
    // 5 blocks, each to the 3 other nodes, and slots 3-5 to the late node too
    int expected = ((Number) s.get("expectedDeliveries")).intValue();
    assertThat(expected).isEqualTo(15 + 3);
    assertThat(((Number) ((Map<?, ?>) s.get("propagationMs")).get("count")).intValue()).isEqualTo(expected);
    assertThat((List<?>) sync.get("problems")).isEmpty();
    assertThat(((Number) sync.get("blocks")).intValue()).isGreaterThanOrEqualTo(2);
    // attestations: 4 x 3 in slots 1-2, 5 x 4 in slots 3-5, across the processes, every one received
    assertThat(((Number) s.get("attestationsExpected")).longValue()).isEqualTo(2 * 12 + 3 * 20);
    assertThat(((Number) s.get("attestationsReceived")).longValue()).as(JsonLines.write(s)).isEqualTo(2 * 12 + 3 * 20);
    assertThat(s).containsEntry("everyNodeGotEveryAttestation", true);
    assertThat(s).containsEntry("ok", true);
    assertThat(r.code()).isZero();
  }

  @Test
  @Timeout(90)
  void aChildThatDiesIsReportedInOneLineAndTheRunEndsNonZero() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Run> run = runAsync(out, err, "devnet", "--nodes", "2", "--processes", "2", "--slots", "100",
        "--slot-ms", "300", "--block-size", "1000", "--late-join-slot", "0", "--transport", "tcp");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!out.toString().contains("slot 1/100") && !run.isDone() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(out.toString()).as(out + "" + err).contains("slot 1/100");
    List<ProcessHandle> children = workers();
    assertThat(children).hasSize(2);
    ProcessHandle victim = children.stream()
        .filter(p -> commandLine(p).contains(" --process 1 "))
        .findFirst().orElseThrow();
    assertThat(victim.destroyForcibly()).isTrue();
    Run r = run.get(30, TimeUnit.SECONDS);
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
    List<String> failures = r.err().lines().filter(l -> l.contains("FAILED")).toList();
    assertThat(failures).as(r.err()).hasSize(1);
    assertThat(failures.get(0)).contains("process 1 (n1)").contains("exited unexpectedly");
    assertThat(workers()).as("children left after the run").isEmpty();
  }

  @Test
  @Timeout(60)
  void aChildsMetricsPortInUseIsAOneLineUsageError() throws Exception {
    int base = freePorts(2);
    try (java.net.ServerSocket taken = new java.net.ServerSocket(base + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
      StringWriter err = new StringWriter();
      int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "devnet", "--nodes", "2",
          "--processes", "2", "--slots", "1", "--late-join-slot", "0", "--metrics-port", Integer.toString(base));
      assertThat(code).as(err.toString()).isEqualTo(2);
      assertThat(err.toString().strip().lines()).hasSize(1);
      assertThat(err.toString()).contains(Integer.toString(base + 1)).doesNotContain("\tat ");
    }
    assertThat(workers()).isEmpty();
  }

  /** The first of {@code n} consecutive ports that are free on 127.0.0.1 right now. */
  static int freePorts(int n) throws java.io.IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = 20_000 + random.nextInt(30_000);
      List<java.net.ServerSocket> held = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          held.add(new java.net.ServerSocket(base + i, 1, java.net.InetAddress.getLoopbackAddress()));
        }
        return base;
      } catch (java.io.IOException e) {
        // taken: try another base
      } finally {
        for (java.net.ServerSocket s : held) {
          s.close();
        }
      }
    }
    throw new java.io.IOException("no " + n + " consecutive free ports found");
  }

  /** GET /metrics; on a busy machine a connect can fail, so up to three attempts. */
  static String scrape(int port) throws Exception {
    java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
    java.io.IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        java.net.http.HttpResponse<String> r = c.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(java.time.Duration.ofSeconds(10)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
      } catch (java.io.IOException e) {
        last = e;
      }
    }
    throw last;
  }

  @Test
  void processesOutOfRangeAreOneLineUsageErrors() {
    for (String[] args : List.of(
        new String[] {"devnet", "--processes", "0"},
        new String[] {"devnet", "--nodes", "3", "--processes", "4"},
        new String[] {"devnet", "--processes", "2", "--metrics-port", "65535"})) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
      assertThat(code).as(String.join(" ", args) + " -> " + err).isEqualTo(2);
      assertThat(err.toString().strip().lines()).hasSize(1);
      assertThat(err.toString()).contains("--").doesNotContain("\tat ");
    }
  }

  @Test
  void theWorkerSubcommandIsHidden() {
    StringWriter out = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "--help");
    assertThat(code).isZero();
    assertThat(out.toString()).contains("devnet").doesNotContain("devnet-worker");
  }
}
