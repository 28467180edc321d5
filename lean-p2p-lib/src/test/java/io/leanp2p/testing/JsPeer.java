package io.leanp2p.testing;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Json;
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
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * Test harness for the project's js-libp2p interop peer ({@code interop/js/peer.mjs}): starts it
 * as a child process listening on 127.0.0.1 and drives it over the JSON-lines protocol of
 * {@code docs/peer-protocol.md} (plus the test extras in {@code interop/js/README.md}).
 *
 * <p>stdout lines are read on a daemon thread and parsed with {@link Json}; stderr goes to a log
 * file under {@code target/js-peer/}, whose tail is included in every timeout failure.
 *
 * <p>Event matching: {@link #awaitEvent} looks at every event received so far, oldest first, and
 * <em>consumes</em> the first one that matches and was not consumed by an earlier {@code
 * awaitEvent}; so an event that arrived before the call is found, and awaiting the same predicate
 * twice finds two distinct events. {@link #events()} returns all events, consumed or not.
 *
 * <p>Not thread-confined: the methods may be called from any test thread.
 */
public final class JsPeer implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /**
   * Start options. {@code tcpPort}/{@code quicPort}: a port number, {@code "0"} (pick) or {@code
   * "off"}; {@code statusMode}: {@code echo} (default), {@code silent} or {@code extra-chunk}.
   */
  public record Options(
      String tcpPort,
      String quicPort,
      List<String> topics,
      String keyHex,
      String statusMode,
      List<String> extraArgs,
      Duration startTimeout) {
    public Options {
      Objects.requireNonNull(tcpPort);
      Objects.requireNonNull(quicPort);
      topics = List.copyOf(topics);
      extraArgs = List.copyOf(extraArgs);
      Objects.requireNonNull(statusMode);
      Objects.requireNonNull(startTimeout);
    }

    /** Both transports on free ports, no topics, a fresh key, status served by echo. */
    public static Options defaults() {
      return new Options("0", "0", List.of(), null, "echo", List.of(), Duration.ofSeconds(30));
    }

    public Options withTopics(String... t) {
      return new Options(tcpPort, quicPort, List.of(t), keyHex, statusMode, extraArgs, startTimeout);
    }

    public Options withTcpPort(String p) {
      return new Options(p, quicPort, topics, keyHex, statusMode, extraArgs, startTimeout);
    }

    public Options withQuicPort(String p) {
      return new Options(tcpPort, p, topics, keyHex, statusMode, extraArgs, startTimeout);
    }

    public Options withKeyHex(String k) {
      return new Options(tcpPort, quicPort, topics, k, statusMode, extraArgs, startTimeout);
    }

    public Options withStatusMode(String m) {
      return new Options(tcpPort, quicPort, topics, keyHex, m, extraArgs, startTimeout);
    }

    /** Arguments placed BEFORE the peer's own flags (the peer must ignore/accept them). */
    public Options withExtraArgs(String... a) {
      return new Options(tcpPort, quicPort, topics, keyHex, statusMode, List.of(a), startTimeout);
    }

    public Options withStartTimeout(Duration d) {
      return new Options(tcpPort, quicPort, topics, keyHex, statusMode, extraArgs, d);
    }
  }

  private final Process process;
  private final Writer stdin;
  private final Path stderrLog;
  private final Thread reader;
  private final AtomicLong nextId = new AtomicLong(1);
  private final Object lock = new Object();
  // guarded by lock
  private final List<Map<String, Object>> events = new ArrayList<>();
  private final BitSet consumed = new BitSet();
  private final List<String> invalidLines = new ArrayList<>();
  private boolean stdoutClosed;
  // set once by start()
  private Map<String, Object> listening;
  private boolean closed;

  private JsPeer(Process process, Path stderrLog) {
    this.process = process;
    this.stderrLog = stderrLog;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = new Thread(this::readLoop, "js-peer-stdout-" + process.pid());
    this.reader.setDaemon(true);
  }

  // ------------------------------------------------------------------ locating node + the peer

  /** The repository root: system property {@code leanp2p.repoRoot}, else the folder with run-tests. */
  public static Path repoRoot() {
    String p = System.getProperty("leanp2p.repoRoot");
    if (p != null && !p.isBlank() && Files.isRegularFile(Paths.get(p, "run-tests"))) {
      return Paths.get(p).toAbsolutePath().normalize();
    }
    Path cwd = Paths.get("").toAbsolutePath();
    for (Path q = cwd; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("run-tests"))) {
        return q;
      }
    }
    return cwd;
  }

  /** {@code <repo>/interop/js}. */
  public static Path peerDir() {
    return repoRoot().resolve("interop").resolve("js");
  }

  /** The node binary: system property {@code leanp2p.node}, env {@code LEANP2P_NODE}, else "node". */
  public static String nodeBinary() {
    String p = System.getProperty("leanp2p.node");
    if (p == null || p.isBlank()) {
      p = System.getenv("LEANP2P_NODE");
    }
    return p == null || p.isBlank() ? "node" : p;
  }

  /**
   * Aborts the calling test (reported skipped) only when node or {@code interop/js/node_modules} is
   * missing. CI installs both ({@code ./run-tests} runs {@code npm ci}), so tests run there.
   */
  public static void assumeAvailable() {
    Path modules = peerDir().resolve("node_modules");
    Assumptions.assumeTrue(
        Files.isDirectory(modules),
        "js interop peer not installed (" + modules + " missing; run `npm ci` in interop/js): skipped");
    boolean nodeOk;
    try {
      Process p =
          new ProcessBuilder(nodeBinary(), "--version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      nodeOk = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      nodeOk = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      nodeOk = false;
    }
    Assumptions.assumeTrue(nodeOk, "node (" + nodeBinary() + ") not runnable: skipped");
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts a peer with {@link Options#defaults()}. */
  public static JsPeer start() {
    return start(Options.defaults());
  }

  /** Starts a peer and waits for its {@code listening} event. */
  public static JsPeer start(Options o) {
    List<String> cmd = new ArrayList<>();
    cmd.add(nodeBinary());
    cmd.add(peerDir().resolve("peer.mjs").toString());
    cmd.addAll(o.extraArgs());
    cmd.add("--tcp-port");
    cmd.add(o.tcpPort());
    cmd.add("--quic-port");
    cmd.add(o.quicPort());
    if (!o.topics().isEmpty()) {
      cmd.add("--topics");
      cmd.add(String.join(",", o.topics()));
    }
    if (o.keyHex() != null) {
      cmd.add("--key-hex");
      cmd.add(o.keyHex());
    }
    cmd.add("--status-mode");
    cmd.add(o.statusMode());
    Path logDir = Paths.get("target", "js-peer").toAbsolutePath();
    Path log =
        logDir.resolve(
            "peer-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet() + ".log");
    Process p;
    try {
      Files.createDirectories(logDir);
      p =
          new ProcessBuilder(cmd)
              .directory(peerDir().toFile())
              .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start js peer: " + cmd, e);
    }
    JsPeer peer = new JsPeer(p, log);
    peer.reader.start();
    try {
      peer.listening = peer.awaitEvent(e -> "listening".equals(e.get("event")), o.startTimeout());
    } catch (RuntimeException | AssertionError e) {
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
      if (closed) {
        return process.isAlive() ? -1 : process.exitValue();
      }
      closed = true;
    }
    try {
      sendRaw("{\"cmd\":\"stop\"}");
    } catch (UncheckedIOException ignored) {
      // already gone
    }
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        joinReader();
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

  private void joinReader() {
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True while the node process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  // ------------------------------------------------------------------ identity

  /** The {@code listening} event. */
  public Map<String, Object> listeningEvent() {
    return listening;
  }

  public String peerId() {
    return str(listening, "peerId");
  }

  /** The secp256k1 private key (32 bytes hex) the peer runs with. */
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

  /** The TCP listen multiaddr (with /p2p/); throws if TCP is off. */
  public String tcpAddr() {
    return addrs().stream()
        .filter(a -> a.contains("/tcp/"))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("js peer has no TCP listen address"));
  }

  /** The QUIC listen multiaddr (with /p2p/); throws if QUIC is off. */
  public String quicAddr() {
    return addrs().stream()
        .filter(a -> a.contains("/quic-v1"))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("js peer has no QUIC listen address"));
  }

  // ------------------------------------------------------------------ commands and events

  /** Sends a command with a fresh numeric {@code "id"} (added to a copy); returns that id. */
  public long send(Map<String, ?> cmd) {
    long id = nextId.getAndIncrement();
    Map<String, Object> m = new LinkedHashMap<>(cmd);
    m.put("id", id);
    sendRaw(Json.write(m));
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
        throw new UncheckedIOException("js peer stdin closed: " + stderrTail(), e);
      }
    }
  }

  /**
   * Sends {@code cmd} and awaits its reply: the event named {@code event} carrying the same id.
   * Fails with the error text if the peer answers with an {@code error} event instead.
   */
  public Map<String, Object> request(Map<String, ?> cmd, String event, Duration timeout) {
    long id = send(cmd);
    Map<String, Object> e = awaitEvent(replyTo(id), timeout);
    if ("error".equals(e.get("event")) && !"error".equals(event)) {
      throw new AssertionError("js peer answered " + Json.write(cmd) + " with " + Json.write(e));
    }
    if (!event.equals(e.get("event"))) {
      throw new AssertionError("expected event " + event + " for " + Json.write(cmd) + ", got " + Json.write(e));
    }
    return e;
  }

  /** Matches the reply (result or error) to the command sent with {@code id}. */
  public static Predicate<Map<String, Object>> replyTo(long id) {
    return e -> e.get("id") instanceof BigDecimal bd && bd.compareTo(BigDecimal.valueOf(id)) == 0;
  }

  /** Matches events named {@code name} whose fields equal the given key/value pairs. */
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
        if (want instanceof Number n && actual instanceof BigDecimal bd) {
          if (bd.compareTo(new BigDecimal(n.toString())) != 0) {
            return false;
          }
        } else if (!Objects.equals(want, actual)) {
          return false;
        }
      }
      return true;
    };
  }

  /**
   * Waits for (and consumes) the oldest not yet consumed event matching {@code p} (a pure
   * predicate: each event is tested once per call). Fails with the
   * recent events and the stderr tail on timeout, or at once when the peer's stdout has ended.
   */
  public Map<String, Object> awaitEvent(Predicate<Map<String, Object>> p, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      int from = 0; // events before this index were already tested (the predicate is pure)
      while (true) {
        for (int i = consumed.nextClearBit(from); i < events.size(); i = consumed.nextClearBit(i + 1)) {
          if (p.test(events.get(i))) {
            consumed.set(i);
            return events.get(i);
          }
        }
        from = events.size();
        if (stdoutClosed) {
          throw new AssertionError(
              "js peer exited before the awaited event" + diagnostics());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout + " awaiting a js peer event" + diagnostics());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted awaiting a js peer event", e);
        }
      }
    }
  }

  /** A snapshot of every event received so far, in order. */
  public List<Map<String, Object>> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  /** stdout lines that were not JSON objects (the protocol allows none). */
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
        String s = Json.write(events.get(i));
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
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Map<String, Object> e = null;
        try {
          e = Json.parseObject(line);
        } catch (DecodeException ex) {
          // recorded below
        }
        synchronized (lock) {
          if (e != null && e.get("event") instanceof String) {
            events.add(e);
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

  // ------------------------------------------------------------------ field helpers

  /** A string field; throws if absent or not a string. */
  public static String str(Map<String, Object> e, String key) {
    Object v = e.get(key);
    if (!(v instanceof String s)) {
      throw new AssertionError("field " + key + " is not a string in " + Json.write(e));
    }
    return s;
  }

  /** A numeric field as long; throws if absent or not an integer. */
  public static long num(Map<String, Object> e, String key) {
    Object v = e.get(key);
    if (!(v instanceof BigDecimal bd)) {
      throw new AssertionError("field " + key + " is not a number in " + Json.write(e));
    }
    return bd.longValueExact();
  }

  /** A numeric field as double. */
  public static double dbl(Map<String, Object> e, String key) {
    Object v = e.get(key);
    if (!(v instanceof BigDecimal bd)) {
      throw new AssertionError("field " + key + " is not a number in " + Json.write(e));
    }
    return bd.doubleValue();
  }

  /** A list field; throws if absent or not a list. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Map<String, Object> e, String key) {
    Object v = e.get(key);
    if (!(v instanceof List<?> l)) {
      throw new AssertionError("field " + key + " is not a list in " + Json.write(e));
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
    return "JsPeer[" + (listening == null ? "starting" : peerId()) + ", pid " + process.pid() + "]";
  }
}
