package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.cli.Main;
import io.leanp2p.util.Json;
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
    CompletableFuture<Run> run = runAsync(out, err, "devnet", "--nodes", "4", "--processes", "2", "--slots", "5",
        "--slot-ms", "1200", "--block-size", "16384", "--late-join-slot", "2", "--transport", "mixed", "--seed", "11",
        "--json", json.toString());
    int maxWorkers = 0;
    while (!run.isDone()) {
      maxWorkers = Math.max(maxWorkers, workers().size());
      Thread.sleep(100);
    }
    Run r = run.get(1, TimeUnit.SECONDS);
    // 2 processes for the 4 nodes + 1 for the late node
    assertThat(maxWorkers).as(r.out() + r.err()).isEqualTo(3);
    assertThat(workers()).as("children left after the run").isEmpty();
    assertThat(r.out()).contains("4 nodes in 2 processes");
    Map<String, Object> s = Json.parseObject(Files.readString(json));
    assertThat(s).as(Json.write(s) + "\n" + r.out() + r.err()).containsEntry("everyNodeGotEveryBlock", true);
    assertThat(((Number) s.get("blocksPublished")).intValue()).isEqualTo(5);
    // 5 blocks, each to the 3 other nodes, plus slots 4 and 5 to the late node
    assertThat(((Number) s.get("expectedDeliveries")).intValue()).isEqualTo(17);
    assertThat(((Number) ((Map<?, ?>) s.get("propagationMs")).get("count")).intValue()).isEqualTo(17);
    @SuppressWarnings("unchecked")
    Map<String, Object> sync = (Map<String, Object>) s.get("sync");
    assertThat(sync).containsEntry("lateNode", true);
    assertThat((List<?>) sync.get("problems")).isEmpty();
    assertThat(((Number) sync.get("blocks")).intValue()).isGreaterThanOrEqualTo(2);
    assertThat(((Number) s.get("attestationsReceived")).longValue()).isPositive();
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
