package io.leanp2p.cli.bench;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A child process speaking the peer protocol (docs/peer-protocol.md): ours ({@code lean-p2p peer}
 * in a child JVM) or the js peer ({@code node interop/js/peer.mjs}). Reads its stdout on a daemon
 * thread; stderr goes to a log file. {@link #awaitEvent} consumes the oldest matching event not yet
 * consumed, so an event that arrived before the call is found.
 */
public final class PeerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;
  private final Writer stdin;
  private final List<Map<String, Object>> events = new ArrayList<>();
  private final List<Boolean> consumed = new ArrayList<>();
  private final List<String> invalidLines = new ArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private final Thread reader;
  private volatile Consumer<Map<String, Object>> tap;
  private Map<String, Object> listening;

  private PeerProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = new Thread(this::readLoop, "peer-stdout-" + name);
    this.reader.setDaemon(true);
  }

  /** The command line of our peer in a child JVM with this JVM's class path. */
  public static List<String> oursCommand(List<String> peerArgs) {
    List<String> options = new ArrayList<>(List.of("-Xmx512m"));
    String extra = System.getenv("LEANP2P_PEER_JVM_OPTS"); // e.g. a JFR recording while profiling the bench
    if (extra != null && !extra.isBlank()) {
      options.addAll(List.of(extra.trim().split("\\s+")));
    }
    return io.leanp2p.cli.ChildJvm.command(options, "peer", peerArgs);
  }

  /** The command line of the js peer ({@code node <repo>/interop/js/peer.mjs}). */
  public static List<String> jsCommand(Path repoRoot, String nodeBinary, List<String> peerArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(nodeBinary);
    cmd.add(repoRoot.resolve("interop/js/peer.mjs").toString());
    cmd.addAll(peerArgs);
    return cmd;
  }

  /** Starts a peer and waits for its {@code listening} event. */
  public static PeerProcess start(String name, List<String> command, Path workDir, Path logDir, Duration startTimeout) {
    Process p;
    Path log = logDir.resolve(name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".log");
    try {
      Files.createDirectories(logDir);
      p = new ProcessBuilder(command).directory(workDir.toFile()).redirectError(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
    PeerProcess peer = new PeerProcess(name, p, log);
    peer.reader.start();
    try {
      peer.listening = peer.awaitEvent(e -> "listening".equals(e.get("event")), startTimeout);
    } catch (RuntimeException e) {
      peer.destroy();
      throw e;
    }
    return peer;
  }

  private void readLoop() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Map<String, Object> e;
        try {
          e = Json.parseObject(line);
        } catch (DecodeException ex) {
          synchronized (this) {
            invalidLines.add(line);
          }
          continue;
        }
        Consumer<Map<String, Object>> t = tap;
        if (t != null) {
          t.accept(e);
        }
        synchronized (this) {
          events.add(e);
          consumed.add(false);
          notifyAll();
        }
      }
    } catch (IOException e) {
      // process gone
    }
    synchronized (this) {
      notifyAll();
    }
  }

  /** Sees every event as it is read (on the reader thread), before it is stored. */
  public void tap(Consumer<Map<String, Object>> consumer) {
    this.tap = consumer;
  }

  public String name() {
    return name;
  }

  public Map<String, Object> listening() {
    return listening;
  }

  public String peerId() {
    return (String) listening.get("peerId");
  }

  @SuppressWarnings("unchecked")
  public List<String> addrs() {
    return (List<String>) listening.get("addrs");
  }

  /** The listen address of a transport ({@code tcp} or {@code quic}), or null. */
  public String addr(String transport) {
    for (String a : addrs()) {
      if (transport.equals("quic") ? a.contains("/quic-v1") : a.contains("/tcp/")) {
        return a;
      }
    }
    return null;
  }

  /** Sends a command with a fresh numeric id and returns the id. */
  public long send(Map<String, ?> cmd) {
    long id = ids.incrementAndGet();
    Map<String, Object> m = new LinkedHashMap<>(cmd);
    m.put("id", id);
    sendRaw(Json.write(m));
    return id;
  }

  /** Sends one raw line. */
  public synchronized void sendRaw(String line) {
    try {
      stdin.write(line);
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": stdin closed", e);
    }
  }

  /** Sends a command and waits for the event that answers it (its result, or an error). */
  public Map<String, Object> request(Map<String, ?> cmd, Duration timeout) {
    long id = send(cmd);
    return awaitEvent(replyTo(id), timeout);
  }

  public static Predicate<Map<String, Object>> replyTo(long id) {
    return e -> e.get("id") instanceof BigDecimal d && d.longValue() == id;
  }

  public static Predicate<Map<String, Object>> event(String name) {
    return e -> name.equals(e.get("event"));
  }

  /** Waits for (and consumes) the oldest unconsumed event matching {@code p}. */
  public synchronized Map<String, Object> awaitEvent(Predicate<Map<String, Object>> p, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int from = 0;
    while (true) {
      for (int i = from; i < events.size(); i++) {
        if (!consumed.get(i) && p.test(events.get(i))) {
          consumed.set(i, true);
          return events.get(i);
        }
      }
      from = 0;
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException(name + ": timed out after " + timeout.toMillis() + " ms waiting for an event; stderr tail: " + stderrTail());
      }
      if (!process.isAlive() && !reader.isAlive()) {
        throw new IllegalStateException(name + ": the peer exited (code " + process.exitValue() + "); stderr tail: " + stderrTail());
      }
      try {
        wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left)))); // re-check liveness
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(name + ": interrupted");
      }
    }
  }

  /** Every event so far (consumed or not). */
  public synchronized List<Map<String, Object>> events() {
    return List.copyOf(events);
  }

  /** Lines that were not JSON objects (must stay empty). */
  public synchronized List<String> invalidLines() {
    return List.copyOf(invalidLines);
  }

  /** Forgets every event so far (bench runs with many messages). */
  public synchronized void clearEvents() {
    events.clear();
    consumed.clear();
  }

  public String stderrTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(no stderr log)";
    }
  }

  /** CPU time (user + system) the process has used so far, in nanoseconds (0 when the OS does not tell). */
  public long cpuNanos() {
    return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends {@code stop}, waits for the exit; returns the exit code (-1 if it had to be killed). */
  public int stop(Duration timeout) {
    try {
      if (process.isAlive()) {
        try {
          send(Map.of("cmd", "stop"));
        } catch (UncheckedIOException e) {
          // already closing
        }
      }
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    destroy();
    return -1;
  }

  private void destroy() {
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }

  @Override
  public String toString() {
    return name + "(" + (listening == null ? "?" : peerId()) + ")";
  }
}
