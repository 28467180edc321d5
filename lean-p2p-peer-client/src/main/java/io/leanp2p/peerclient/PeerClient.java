package io.leanp2p.peerclient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.RandomAccessFile;
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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The peer-protocol client ({@code docs/peer-protocol.md}): starts a peer as a child process (ours,
 * {@code lean-p2p peer} in a JVM, or the js-libp2p test peer {@code interop/js/peer.mjs}), waits for
 * its {@code listening} event and drives it over JSON lines. The one implementation used by the
 * bench, the CLI's tests and the library's interop tests.
 *
 * <p>stdout lines are read on a daemon thread and parsed with {@link JsonLines}; a line that is not
 * a JSON object with an {@code "event"} is kept in {@link #invalidLines()} (the protocol allows
 * none). stderr goes to a log file whose tail is part of every failure message.
 *
 * <p>Event matching: {@link #awaitEvent} looks at every event received so far, oldest first, and
 * <em>consumes</em> the first one that matches and was not consumed by an earlier call; so an event
 * that arrived before the call is found, and awaiting the same predicate twice finds two distinct
 * events. {@link #events()} returns all events, consumed or not; {@link #clearEvents()} forgets them
 * (long bench runs). Methods may be called from any thread.
 *
 * <p>Every failure to get what was awaited (time-out, the peer exited, an error reply where a result
 * was expected) is a {@link Failure} with the recent events and the stderr tail.
 */
public final class PeerClient implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path stderrLog;
  private final Writer stdin;
  private final Thread reader;
  private final AtomicLong nextId = new AtomicLong(1);
  private final Object lock = new Object();
  // guarded by lock
  private final List<Map<String, Object>> events = new ArrayList<>();
  private final List<Boolean> consumed = new ArrayList<>();
  private final List<String> invalidLines = new ArrayList<>();
  private boolean stdoutClosed;
  private boolean stopping;
  // set once by start()
  private Map<String, Object> listening;
  private volatile Consumer<Map<String, Object>> tap;

  /** A peer did not do what was awaited; the message says what it did instead. */
  public static final class Failure extends IllegalStateException {
    Failure(String message) {
      super(message);
    }
  }

  private PeerClient(String name, Process process, Path stderrLog) {
    this.name = name;
    this.process = process;
    this.stderrLog = stderrLog;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = new Thread(this::readLoop, "peer-stdout-" + name + "-" + process.pid());
    this.reader.setDaemon(true);
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Starts {@code command} in {@code workDir} (stderr to a new file in {@code logDir}) and waits for
   * its {@code listening} event; on failure the process is killed and a {@link Failure} thrown.
   */
  public static PeerClient start(String name, List<String> command, Path workDir, Path logDir,
      Duration startTimeout) {
    Path log = logDir.toAbsolutePath()
        .resolve(name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".log");
    Process p;
    try {
      Files.createDirectories(logDir);
      p = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
    PeerClient peer = new PeerClient(name, p, log);
    peer.reader.start();
    try {
      peer.listening = peer.awaitEvent(event("listening"), startTimeout);
    } catch (RuntimeException e) {
      peer.destroy();
      throw e;
    }
    return peer;
  }

  /**
   * Sends {@code stop}, waits up to {@code timeout} for the process to exit, then kills the process
   * tree. Returns the exit code (-1 if it had to be killed). Idempotent.
   */
  public int stop(Duration timeout) {
    synchronized (lock) {
      if (stopping) {
        return process.isAlive() ? -1 : process.exitValue();
      }
      stopping = true;
    }
    if (process.isAlive()) {
      try {
        sendRaw("{\"cmd\":\"stop\"}");
      } catch (UncheckedIOException ignored) {
        // already gone
      }
    }
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        reader.join(2000);
        return process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    destroy();
    return -1;
  }

  /** {@link #stop(Duration)} with 5 s. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }

  private void destroy() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True while the process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** CPU time (user + system) the process has used so far, in nanoseconds (0 when the OS does not tell). */
  public long cpuNanos() {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  // ------------------------------------------------------------------ identity

  public String name() {
    return name;
  }

  /** The {@code listening} event. */
  public Map<String, Object> listening() {
    return listening;
  }

  public String peerId() {
    return str(listening, "peerId");
  }

  /** The secp256k1 private key (32 bytes hex) the peer runs with, if it says. */
  public String keyHex() {
    return str(listening, "keyHex");
  }

  /** Listen multiaddrs, each ending in {@code /p2p/<id>}. */
  public List<String> addrs() {
    List<String> out = new ArrayList<>();
    for (Object o : list(listening, "addrs")) {
      out.add((String) o);
    }
    return out;
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

  /** The TCP listen multiaddr (with /p2p/); throws if TCP is off. */
  public String tcpAddr() {
    return Objects.requireNonNull(addr("tcp"), () -> name + " has no TCP listen address");
  }

  /** The QUIC listen multiaddr (with /p2p/); throws if QUIC is off. */
  public String quicAddr() {
    return Objects.requireNonNull(addr("quic"), () -> name + " has no QUIC listen address");
  }

  // ------------------------------------------------------------------ commands and events

  /** Sends a command with a fresh numeric {@code "id"} (added to a copy); returns that id. */
  public long send(Map<String, ?> cmd) {
    long id = nextId.getAndIncrement();
    Map<String, Object> m = new LinkedHashMap<>(cmd);
    m.put("id", id);
    sendRaw(JsonLines.write(m));
    return id;
  }

  /** Writes one raw line (no id added), e.g. to test malformed input handling. */
  public void sendRaw(String line) {
    synchronized (stdin) {
      try {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(name + ": stdin closed; stderr tail:\n" + stderrTail(), e);
      }
    }
  }

  /** Sends {@code cmd} and awaits the event answering it: its result or an {@code error}. */
  public Map<String, Object> request(Map<String, ?> cmd, Duration timeout) {
    return awaitEvent(replyTo(send(cmd)), timeout);
  }

  /**
   * Sends {@code cmd} and awaits its reply, which must be the event named {@code event}: an {@code
   * error} reply (or any other) is a {@link Failure} with its text.
   */
  public Map<String, Object> request(Map<String, ?> cmd, String event, Duration timeout) {
    Map<String, Object> e = request(cmd, timeout);
    if (!event.equals(e.get("event"))) {
      throw new Failure(name + " answered " + JsonLines.write(cmd) + " with " + JsonLines.write(e)
          + " (expected a " + event + " event)");
    }
    return e;
  }

  /**
   * Waits for (and consumes) the oldest not yet consumed event matching {@code p} (a pure
   * predicate: each event is tested once per call). Fails with the recent events and the stderr
   * tail on timeout, or at once when the peer's stdout has ended.
   */
  public Map<String, Object> awaitEvent(Predicate<Map<String, Object>> p, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      int from = 0; // events before this index were already tested
      while (true) {
        for (int i = from; i < events.size(); i++) {
          if (!consumed.get(i) && p.test(events.get(i))) {
            consumed.set(i, true);
            return events.get(i);
          }
        }
        from = events.size();
        if (stdoutClosed) {
          throw new Failure(name + " exited before the awaited event" + diagnostics());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new Failure(name + ": timed out after " + timeout.toMillis() + " ms awaiting an event"
              + diagnostics());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Failure(name + ": interrupted awaiting an event");
        }
      }
    }
  }

  /** Sees every event as it is read (on the reader thread), before it is stored. */
  public void tap(Consumer<Map<String, Object>> consumer) {
    this.tap = consumer;
  }

  /** A snapshot of every event received so far, in order. */
  public List<Map<String, Object>> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  /** Forgets every event so far (bench runs with many messages). */
  public void clearEvents() {
    synchronized (lock) {
      events.clear();
      consumed.clear();
    }
  }

  /** stdout lines that were not JSON objects with an event (the protocol allows none). */
  public List<String> invalidLines() {
    synchronized (lock) {
      return List.copyOf(invalidLines);
    }
  }

  /** The last ~4 KiB of the peer's stderr log. */
  public String stderrTail() {
    try (RandomAccessFile f = new RandomAccessFile(stderrLog.toFile(), "r")) {
      long len = f.length();
      long start = Math.max(0, len - 4096);
      byte[] b = new byte[(int) (len - start)];
      f.seek(start);
      f.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no stderr log: " + e + ")";
    }
  }

  /** Path of the stderr log file. */
  public Path stderrLog() {
    return stderrLog;
  }

  private String diagnostics() {
    StringBuilder sb = new StringBuilder();
    sb.append("\n  process: ").append(process.isAlive() ? "alive" : "exited " + process.exitValue());
    synchronized (lock) {
      int from = Math.max(0, events.size() - 15);
      sb.append("\n  last events:");
      for (int i = from; i < events.size(); i++) {
        String s = JsonLines.write(events.get(i));
        sb.append("\n    ").append(s.length() > 300 ? s.substring(0, 300) + "..." : s);
      }
      if (!invalidLines.isEmpty()) {
        sb.append("\n  invalid stdout lines: ").append(invalidLines);
      }
    }
    sb.append("\n  stderr tail (").append(stderrLog).append("):\n").append(stderrTail());
    return sb.toString();
  }

  private void readLoop() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Map<String, Object> e = null;
        try {
          e = JsonLines.parseObject(line);
        } catch (JsonLines.MalformedJson ex) {
          // recorded below
        }
        boolean valid = e != null && e.get("event") instanceof String;
        Consumer<Map<String, Object>> t = tap;
        if (valid && t != null) {
          t.accept(e);
        }
        synchronized (lock) {
          if (valid) {
            events.add(e);
            consumed.add(false);
          } else {
            invalidLines.add(line);
          }
          lock.notifyAll();
        }
      }
    } catch (IOException ignored) {
      // process gone
    } finally {
      synchronized (lock) {
        stdoutClosed = true;
        lock.notifyAll();
      }
    }
  }

  // ------------------------------------------------------------------ matching and fields

  /** Matches the reply (result or error) to the command sent with {@code id}. */
  public static Predicate<Map<String, Object>> replyTo(long id) {
    return e -> Objects.equals(JsonLines.integer(e.get("id")), id);
  }

  /** Matches events named {@code name} whose fields equal the given key/value pairs (numbers by value). */
  public static Predicate<Map<String, Object>> event(String name, Object... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("key/value pairs expected");
    }
    return e -> {
      if (!name.equals(e.get("event"))) {
        return false;
      }
      for (int i = 0; i < keyValues.length; i += 2) {
        Object actual = e.get((String) keyValues[i]);
        Object want = keyValues[i + 1];
        if (want instanceof Number w && actual instanceof Number a) {
          if (new BigDecimal(w.toString()).compareTo(new BigDecimal(a.toString())) != 0) {
            return false;
          }
        } else if (!Objects.equals(want, actual)) {
          return false;
        }
      }
      return true;
    };
  }

  /** A string field; throws if absent or not a string. */
  public static String str(Map<String, Object> e, String key) {
    if (!(e.get(key) instanceof String s)) {
      throw new Failure("field " + key + " is not a string in " + JsonLines.write(e));
    }
    return s;
  }

  /** An integer field as long; throws if absent or not an integer. */
  public static long num(Map<String, Object> e, String key) {
    Long v = JsonLines.integer(e.get(key));
    if (v == null) {
      throw new Failure("field " + key + " is not an integer in " + JsonLines.write(e));
    }
    return v;
  }

  /** A numeric field as double; throws if absent or not a number. */
  public static double dbl(Map<String, Object> e, String key) {
    if (!(e.get(key) instanceof Number n)) {
      throw new Failure("field " + key + " is not a number in " + JsonLines.write(e));
    }
    return n.doubleValue();
  }

  /** A list field; throws if absent or not a list. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Map<String, Object> e, String key) {
    if (!(e.get(key) instanceof List<?> l)) {
      throw new Failure("field " + key + " is not a list in " + JsonLines.write(e));
    }
    return (List<Object>) l;
  }

  /** Builds a command map from key/value pairs: {@code cmd("dial", "addr", a)}. */
  public static Map<String, Object> cmd(String name, Object... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("key/value pairs expected");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cmd", name);
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  @Override
  public String toString() {
    return name + "[" + (listening == null ? "starting" : peerId()) + ", pid " + process.pid() + "]";
  }
}
