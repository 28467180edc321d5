package io.leanp2p.cli.devnet;

import io.leanp2p.util.DecodeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent's side of one {@code devnet-worker} child JVM: starts it (same java binary and class
 * path), reads its stdout on one daemon thread (replies complete the caller's future, block
 * arrivals go to the tracker), sends commands as JSON lines, and notices when it dies. Its stderr
 * (the child's logs) goes to a file. Every wait is bounded and ends in a {@link DevnetFailure}
 * that names the process.
 */
final class WorkerProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerProcess.class);

  private final int number;
  private final String nodes;
  private final Process process;
  private final Path log;
  private final Writer stdin;
  private final DevnetMember.Arrivals arrivals;
  private final Map<Long, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<Map<String, Object>> hello = new CompletableFuture<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong badLines = new AtomicLong();
  private volatile String failure;
  private volatile boolean closing;

  private WorkerProcess(int number, String nodes, Process process, Path log, DevnetMember.Arrivals arrivals) {
    this.number = number;
    this.nodes = nodes;
    this.process = process;
    this.log = log;
    this.arrivals = arrivals;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  /**
   * Starts child {@code number} hosting {@code nodes} (for messages, e.g. "n1, n3").
   *
   * @param workerArgs the {@code devnet-worker} options
   */
  static WorkerProcess start(int number, String nodes, List<String> workerArgs, Path log, DevnetMember.Arrivals arrivals) {
    List<String> cmd = command(workerArgs);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectError(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    } catch (IOException e) {
      throw new DevnetFailure("cannot start process " + number + ": " + e.getMessage());
    }
    WorkerProcess w = new WorkerProcess(number, nodes, p, log, arrivals);
    Thread reader = new Thread(w::readLoop, "devnet-process-" + number);
    reader.setDaemon(true);
    reader.start();
    p.onExit().thenRun(w::exited);
    return w;
  }

  /** The child's command line: this JVM's java and class path, {@link io.leanp2p.cli.JvmOptions#DEVNET_WORKER}. */
  static List<String> command(List<String> workerArgs) {
    return io.leanp2p.cli.ChildJvm.command(io.leanp2p.cli.JvmOptions.DEVNET_WORKER, "devnet-worker", workerArgs);
  }

  int number() {
    return number;
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  Path log() {
    return log;
  }

  /** The nodes it hosts, e.g. "n2, n6". */
  String nodes() {
    return nodes;
  }

  /** "process 2 (n2, n6)". */
  String describe() {
    return "process " + number + " (" + nodes + ")";
  }

  /** The exit code once the process has ended, else -1. */
  int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** The last non-blank line the child logged (e.g. its one-line usage error). */
  String lastLogLine() {
    return lastLine();
  }

  /** Why the process is unusable, or null while it is fine. */
  String failure() {
    return failure;
  }

  /** Waits for the child's hello; returns it (with its metrics port). */
  Map<String, Object> awaitHello(Duration max) {
    return await(hello, max, "report ready");
  }

  /** Sends a command and waits for its reply (the reply's fields). */
  Map<String, Object> call(Map<String, Object> command, Duration max) {
    return await(callAsync(command), max, "answer '" + command.get("cmd") + "'");
  }

  /** Sends a command; the future completes with the reply or a {@link DevnetFailure}. */
  CompletableFuture<Map<String, Object>> callAsync(Map<String, Object> command) {
    long id = ids.incrementAndGet();
    CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
    pending.put(id, f);
    String why = failure;
    if (why != null) {
      pending.remove(id);
      f.completeExceptionally(new DevnetFailure(why));
      return f;
    }
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("id", id);
    m.putAll(command);
    try {
      synchronized (stdin) {
        stdin.write(WorkerProtocol.line(m));
        stdin.write('\n');
        stdin.flush();
      }
    } catch (IOException e) {
      pending.remove(id);
      // the JDK closes a child's stdin when it exits: give the exit a moment to be seen, then say why
      try {
        if (process.waitFor(2, TimeUnit.SECONDS)) {
          exited();
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      String exit = failure;
      f.completeExceptionally(new DevnetFailure(exit != null ? exit
          : describe() + " is gone: cannot write to it (" + e.getMessage() + ")"));
    }
    return f.thenApply(reply -> {
      if (reply.get("error") != null) {
        throw new DevnetFailure(describe() + ": " + command.get("cmd") + " on n" + command.get("node") + " failed: "
            + reply.get("error"));
      }
      return reply;
    });
  }

  private Map<String, Object> await(CompletableFuture<Map<String, Object>> f, Duration max, String what) {
    try {
      return f.get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      String why = failure;
      throw new DevnetFailure(why != null ? why : describe() + " did not " + what + " within " + max.toSeconds() + " s");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof DevnetFailure d) {
        throw d;
      }
      throw new DevnetFailure(describe() + ": " + c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DevnetFailure("interrupted while waiting for " + describe());
    }
  }

  private void readLoop() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Map<String, Object> m;
        try {
          m = WorkerProtocol.parse(line);
        } catch (DecodeException e) {
          if (badLines.incrementAndGet() <= 3) {
            LOG.warn("{}: not a protocol line: {}", describe(), line.length() > 200 ? line.substring(0, 200) : line);
          }
          continue;
        }
        dispatch(m);
      }
    } catch (IOException e) {
      LOG.debug("{}: stdout closed: {}", describe(), e.toString());
    }
  }

  private void dispatch(Map<String, Object> m) {
    try {
      if (m.get("id") != null) {
        CompletableFuture<Map<String, Object>> f = pending.remove(WorkerProtocol.number(m, "id"));
        if (f != null) {
          f.complete(m);
        }
      } else if ("block".equals(m.get("event"))) {
        arrivals.arrived(WorkerProtocol.number(m, "slot"), (int) WorkerProtocol.number(m, "node"),
            WorkerProtocol.number(m, "ts"));
      } else if ("attestation".equals(m.get("event"))) {
        arrivals.attested(WorkerProtocol.number(m, "slot"), (int) WorkerProtocol.number(m, "validator"),
            (int) WorkerProtocol.number(m, "node"));
      } else if ("hello".equals(m.get("event"))) {
        hello.complete(m);
      }
    } catch (DecodeException e) {
      LOG.warn("{}: bad line {}: {}", describe(), WorkerProtocol.line(m), e.getMessage());
    }
  }

  /** The child exited (idempotent: from onExit and from a failed write). */
  private synchronized void exited() {
    if (closing || failure != null) {
      return;
    }
    String last = lastLine();
    failure = describe() + " exited unexpectedly with code " + process.exitValue()
        + (last.isEmpty() ? "" : " (last log line: " + last + ")") + "; log: " + log;
    DevnetFailure f = new DevnetFailure(failure);
    hello.completeExceptionally(f);
    for (Long id : List.copyOf(pending.keySet())) {
      CompletableFuture<Map<String, Object>> p = pending.remove(id);
      if (p != null) {
        p.completeExceptionally(f);
      }
    }
  }

  /** The last non-blank line of the child's log (reads at most its last 4 KiB). */
  private String lastLine() {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long len = f.length();
      int n = (int) Math.min(4096, len);
      byte[] b = new byte[n];
      f.seek(len - n);
      f.readFully(b);
      String[] lines = new String(b, StandardCharsets.UTF_8).split("\n");
      for (int i = lines.length - 1; i >= 0; i--) {
        if (!lines[i].isBlank()) {
          String s = lines[i].strip();
          return s.length() > 200 ? s.substring(0, 200) + "..." : s;
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot read {}: {}", log, e.toString());
    }
    return "";
  }

  /** Asks the child to stop (closes its stdin); does not wait. */
  void requestStop() {
    closing = true;
    try {
      synchronized (stdin) {
        stdin.close();
      }
    } catch (IOException e) {
      LOG.debug("{}: closing stdin: {}", describe(), e.toString());
    }
  }

  /** Stops the child: closes its stdin, waits up to {@code grace}, then kills it. */
  void stop(Duration grace) {
    requestStop();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("{} did not exit within {} s of its stdin closing; killing it", describe(), grace.toSeconds());
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Kills the child at once (the shutdown hook). */
  void kill() {
    closing = true;
    process.destroyForcibly();
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }
}
