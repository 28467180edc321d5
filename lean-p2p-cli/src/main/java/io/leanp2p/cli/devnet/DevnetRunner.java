package io.leanp2p.cli.devnet;

import io.leanp2p.cli.Signals;
import io.leanp2p.cli.Progress;
import io.leanp2p.cli.metrics.MetricsServer;
import io.leanp2p.lean.SignedBlocks;
import io.leanp2p.metrics.prometheus.LeanP2pCollector;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.peerclient.JsonLines;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the devnet: starts the nodes (in this JVM, or spread over child JVMs with {@code
 * --processes}), meshes them, drives the simulated chain slot by slot, brings in the late node and
 * syncs it, refreshes the table, prints the summary. It talks to every node through {@link
 * DevnetMember}, so both modes run the same code here.
 */
final class DevnetRunner {
  private static final Logger LOG = LoggerFactory.getLogger(DevnetRunner.class);
  /** Two gossip heartbeats (700 ms) and a margin for a busy machine. */
  private static final long SETTLE_MIN_MS = 2 * 700 + 600;
  private static final Duration HELLO = Duration.ofSeconds(30);

  private final DevnetCommand.DevnetOptions o;
  private final PrintWriter out;
  private final PrintWriter err;
  private final DevnetTopics topics;
  private final PropagationTracker tracker = new PropagationTracker();
  private final AttestationTracker attestations = new AttestationTracker();
  /** Where every node (here or in a child process) reports its block and attestation arrivals. */
  private final DevnetMember.Arrivals arrivals = new DevnetMember.Arrivals() {
    @Override
    public void arrived(long slot, int node, long nanos) {
      tracker.received(slot, node, nanos);
    }

    @Override
    public void attested(long slot, int validator, int node) {
      attestations.attested(slot, validator, node);
    }
  };
  private final List<DevnetMember> members = new CopyOnWriteArrayList<>();
  private final Map<Integer, DevnetMember.Started> started = new ConcurrentHashMap<>();
  private final List<WorkerProcess> workers = new CopyOnWriteArrayList<>();
  private Path logs;
  private boolean keepLogs = true;
  private final Random random;
  private final AtomicBoolean interrupted = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private byte[] headRoot = new byte[32];
  private final Map<Long, byte[]> publishedRoots = new ConcurrentHashMap<>();
  private long slotsRun;
  private DevnetMember late;
  private long lateStartedSlot = -1;
  /**
   * First slot whose publishes found the late node joined: connected to its peers, and its
   * subscriptions and theirs known to both sides (-1: not yet). From that slot on it must receive
   * every block and attestation, and every node must receive its attestations.
   */
  private long lateCountsFrom = -1;
  private volatile long syncNanos = -1;
  private volatile int syncedBlocks;
  private final List<String> syncProblems = new CopyOnWriteArrayList<>();

  private DevnetRunner(DevnetCommand.DevnetOptions o, PrintWriter out, PrintWriter err) {
    this.o = o;
    this.out = out;
    this.err = err;
    this.topics = DevnetTopics.of(o.forkDigest());
    this.random = new Random(o.seed());
  }

  static int run(DevnetCommand.DevnetOptions o, PrintWriter out, PrintWriter err) throws Exception {
    return new DevnetRunner(o, out, err).run();
  }

  private boolean processMode() {
    return o.processes() > 1;
  }

  private int run() throws Exception {
    boolean tty = isTerminal();
    TableRenderer table = new TableRenderer(tty);
    out.printf(Locale.ROOT,
        "lean-p2p devnet: %d nodes %s on 127.0.0.1 over %s, gossipsub on %s, attestation_0, aggregation.%n"
            + "Each slot (%d ms) a rotating proposer publishes a %s SignedBlock; every node publishes a 560 B attestation "
            + "and validates what it receives.%n%s%s%n",
        o.nodes(), processMode() ? "in " + o.processes() + " processes (node i in process i % " + o.processes()
            + (o.lateJoinSlot() > 0 ? ", the late node in a process of its own" : "") + ")" : "in this JVM",
        o.transport(), topics.block(), o.slotMs(), sizeText(SignedBlocks.encodedSize(o.blockSize())),
        o.lateJoinSlot() > 0 ? "At slot " + o.lateJoinSlot() + " a late node joins and syncs the blocks it missed "
            + "(status, blocks_by_root for the head, blocks_by_range for the rest, parent roots checked). " : "",
        o.slots() > 0 ? "Runs " + o.slots() + " slots, then prints a summary." : "Runs until Ctrl-C, then prints a summary.");
    out.flush();
    MetricsServer metrics = null;
    Thread reaper = null;
    Signals.onTerminate(() -> {
      interrupted.set(true);
      try {
        finished.await(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, 0);
    try {
      if (processMode()) {
        reaper = new Thread(() -> workers.forEach(WorkerProcess::kill), "devnet-reap-children");
        Runtime.getRuntime().addShutdownHook(reaper);
        startWorkers();
      } else if (o.metricsPort() != null) {
        metrics = MetricsServer.start("127.0.0.1", o.metricsPort(), () -> members.stream()
            .map(m -> new LeanP2pCollector.Source(Map.of("node", m.name()), ((LocalMember) m)::metrics)).toList());
        out.println("Prometheus metrics: http://127.0.0.1:" + metrics.port() + "/metrics");
      }
      startNodes();
      waitForMesh();
      long start = System.nanoTime();
      for (long slot = 1; (o.slots() == 0 || slot <= o.slots()) && !interrupted.get(); slot++) {
        long slotStart = start + (slot - 1) * o.slotMs() * 1_000_000L;
        sleepUntil(slotStart);
        checkWorkers();
        if (o.lateJoinSlot() > 0 && slot == o.lateJoinSlot() + 1 && late == null) {
          startLateNode();
        }
        runSlot(slot);
        slotsRun = slot;
        // refresh the table mid-slot and at the end of the slot
        sleepUntil(slotStart + o.slotMs() * 1_000_000L * 3 / 4);
        checkWorkers();
        out.print(table.render(status(slot), rows(), propagationLine()));
        out.flush();
      }
      // let the last block settle: a node outside the publisher's mesh (the late node just after it
      // joined) gets it through IHAVE at the next heartbeat and IWANT, so wait at least two heartbeats
      sleepUntil(System.nanoTime() + Math.max(SETTLE_MIN_MS, Math.min(o.slotMs(), 3000)) * 1_000_000L);
      awaitDeliveries(Duration.ofSeconds(10));
      awaitSync(Duration.ofSeconds(10));
      checkWorkers();
      out.print(table.render(status(slotsRun) + " (final)", rows(), propagationLine()));
      DevnetSummary summary = summary();
      out.println();
      out.print(summary.text());
      if (o.json() != null) {
        try {
          Files.writeString(o.json(), JsonLines.write(summary.toJson()) + "\n", StandardCharsets.UTF_8);
          out.println("summary written to " + o.json());
        } catch (IOException e) {
          out.println("cannot write " + o.json() + ": " + e.getMessage());
        }
      }
      out.flush();
      keepLogs = !summary.ok();
      return summary.ok() ? 0 : 1;
    } catch (DevnetFailure e) {
      out.flush();
      err.println("lean-p2p devnet: FAILED: " + e.getMessage());
      err.flush();
      return 1;
    } finally {
      for (DevnetMember m : members) {
        m.close();
      }
      stopWorkers();
      deleteLogsUnlessKept();
      if (reaper != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
          // shutting down: the hook runs anyway
        }
      }
      if (metrics != null) {
        metrics.close();
      }
      finished.countDown();
    }
  }

  // ------------------------------------------------------------------ setup

  /** The process that hosts node {@code i}: {@code i % P}; the late node (i = N) gets process P. */
  private int processOf(int i) {
    return i >= o.nodes() ? o.processes() : i % o.processes();
  }

  /** Starts the child JVMs (and the late node's, idle until it joins) and waits for each one's hello. */
  private void startWorkers() throws IOException {
    logs = Files.createTempDirectory("lean-p2p-devnet-");
    int count = o.processes() + (o.lateJoinSlot() > 0 ? 1 : 0);
    for (int k = 0; k < count; k++) {
      StringJoiner names = new StringJoiner(", ");
      for (int i = 0; i <= o.nodes(); i++) {
        if (processOf(i) == k && (i < o.nodes() || o.lateJoinSlot() > 0)) {
          names.add("n" + i);
        }
      }
      List<String> args = new ArrayList<>(List.of("--process", Integer.toString(k), "--fork-digest", o.forkDigest(),
          "--block-size", Integer.toString(o.blockSize())));
      if (k == o.processes()) {
        // the late node's process: warm it up so that the join measures the network, not class loading
        args.addAll(List.of("--warm-up", transportOf(o.nodes())));
      }
      if (o.metricsPort() != null) {
        args.addAll(List.of("--metrics-port", Integer.toString(o.metricsPort() + k)));
      }
      workers.add(WorkerProcess.start(k, names.toString(), args, logs.resolve("process-" + k + ".log"), arrivals));
    }
    StringJoiner metricsText = new StringJoiner(", ");
    for (WorkerProcess w : workers) {
      Object port;
      try {
        port = w.awaitHello(HELLO).get("metricsPort");
      } catch (DevnetFailure e) {
        if (w.exitCode() == io.leanp2p.cli.Main.EXIT_USAGE) {
          // the child refused its arguments (e.g. its metrics port is in use): a usage error here too
          keepLogs = false;
          throw new io.leanp2p.cli.UsageException(w.lastLogLine().replaceFirst("^lean-p2p: ", ""));
        }
        throw e;
      }
      if (port != null) {
        metricsText.add("http://127.0.0.1:" + port + "/metrics (" + w.nodes() + ")");
      }
    }
    out.println(workers.size() + " child processes ready (pids "
        + workers.stream().map(w -> Long.toString(w.handle().pid())).reduce((a, b) -> a + ", " + b).orElse("")
        + "); their logs: " + logs + " (deleted after a run without problems)");
    if (o.metricsPort() != null) {
      out.println("Prometheus metrics, one endpoint per process: " + metricsText);
    }
    out.flush();
  }

  private void stopWorkers() {
    for (WorkerProcess w : workers) {
      w.requestStop();
    }
    for (WorkerProcess w : workers) {
      w.stop(Duration.ofSeconds(5));
    }
  }

  /** The children's logs are deleted after a run without problems, else kept (and named on stderr). */
  private void deleteLogsUnlessKept() {
    if (logs == null) {
      return;
    }
    if (keepLogs) {
      err.println("lean-p2p devnet: the child processes' logs are in " + logs);
      err.flush();
      return;
    }
    try (var files = Files.list(logs)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(logs);
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", logs, e.toString());
    }
  }

  /** Throws when a child process died (the one clear line for the user). */
  private void checkWorkers() {
    for (WorkerProcess w : workers) {
      String why = w.failure();
      if (why != null) {
        throw new DevnetFailure(why);
      }
    }
  }

  private List<String> listen(int i) {
    return switch (o.transport()) {
      case quic -> List.of("/ip4/127.0.0.1/udp/0/quic-v1");
      case tcp -> List.of("/ip4/127.0.0.1/tcp/0");
      case mixed -> List.of("/ip4/127.0.0.1/udp/0/quic-v1", "/ip4/127.0.0.1/tcp/0");
    };
  }

  private String transportOf(int i) {
    return switch (o.transport()) {
      case quic -> "quic";
      case tcp -> "tcp";
      case mixed -> i % 2 == 0 ? "quic" : "tcp";
    };
  }

  private DevnetMember startNode(int i) {
    DevnetMember m = processMode()
        ? new RemoteMember(workers.get(processOf(i)), i, transportOf(i))
        : new LocalMember(i, transportOf(i), topics, o.blockSize(), arrivals);
    try {
      started.put(i, m.start(listen(i)));
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
    members.add(m);
    return m;
  }

  private void startNodes() {
    Progress progress = new Progress(out, isTerminal(), System::nanoTime, 2_000_000_000L);
    long t0 = System.nanoTime();
    for (int i = 0; i < o.nodes(); i++) {
      startNode(i);
      progress.update("starting nodes: " + (i + 1) + "/" + o.nodes() + " listening (" + Progress.duration(System.nanoTime() - t0) + ")");
    }
    progress.finish(o.nodes() + " nodes listening (" + Progress.duration(System.nanoTime() - t0) + "); connecting them");
    // full mesh of connections: each node dials every earlier node
    for (int i = 1; i < o.nodes(); i++) {
      for (int j = 0; j < i; j++) {
        dial(members.get(i), j);
      }
    }
  }

  /** Dials node {@code to} over the dialer's transport (mixed: the dialer's own kind). */
  private void dial(DevnetMember from, int to) {
    boolean quic = from.transport().equals("quic");
    for (String a : started.get(to).addresses()) {
      try {
        Multiaddr m = Multiaddr.parse(a);
        if (quic ? m.isQuic() : m.isTcp()) {
          from.dial(a);
          return;
        }
      } catch (DecodeException e) {
        LOG.warn("n{} listens on an unparsable address {}", to, a);
      }
    }
    LOG.warn("n{} has no {} address", to, from.transport());
  }

  /**
   * Waits until every node has {@code min(N-1, 4)} mesh peers on the block topic, or, after 3 s,
   * at least knows that many subscribers (publishing then reaches them by flood publish); at most 10 s.
   * After 5 s and 8 s it dials again the pairs that are still not connected (a handshake can time out
   * when many JVMs start at once on a busy machine).
   */
  private void waitForMesh() {
    int want = Math.min(o.nodes() - 1, 4);
    long t0 = System.nanoTime();
    long nextRedial = t0 + 5_000_000_000L;
    Progress progress = new Progress(out, isTerminal(), System::nanoTime, 2_000_000_000L);
    while (!interrupted.get()) {
      boolean meshReady = true;
      boolean subscribersKnown = true;
      int nodesReady = 0;
      List<Set<String>> connected = new ArrayList<>();
      for (DevnetMember m : members) {
        DevnetMember.MeshCounts c = m.mesh();
        meshReady &= c.mesh() >= want;
        subscribersKnown &= c.subscribers() >= want;
        nodesReady += c.mesh() >= want ? 1 : 0;
        connected.add(new HashSet<>(c.peers()));
      }
      long now = System.nanoTime();
      long waited = now - t0;
      if (meshReady || (subscribersKnown && waited > 3_000_000_000L)) {
        progress.finish("gossip mesh ready: " + nodesReady + "/" + o.nodes() + " nodes have " + want + " mesh peers ("
            + Progress.duration(waited) + ")");
        return;
      }
      if (waited > 10_000_000_000L) {
        progress.finish("(after 10 s not every node has " + want + " mesh peers or subscribers; starting anyway)");
        return;
      }
      progress.update("waiting for connections and the gossip mesh: " + nodesReady + "/" + o.nodes() + " nodes have "
          + want + " mesh peers (" + Progress.duration(waited) + ")");
      if (now >= nextRedial) {
        nextRedial = now + 3_000_000_000L;
        redialMissing(connected);
      }
      sleepUntil(System.nanoTime() + 100_000_000L);
    }
  }

  /** Dials again every pair (i > j) that neither side reports as connected. */
  private void redialMissing(List<Set<String>> connected) {
    for (int i = 1; i < o.nodes(); i++) {
      for (int j = 0; j < i; j++) {
        if (!connected.get(i).contains(started.get(j).peerId()) && !connected.get(j).contains(started.get(i).peerId())) {
          LOG.info("n{} and n{} are not connected; dialing again", i, j);
          dial(members.get(i), j);
        }
      }
    }
  }

  // ------------------------------------------------------------------ slots

  /**
   * One slot: the proposer's block, then every node's attestation. Every node that is part of the
   * network when they are published (the first nodes, and the late node once it has joined) must
   * receive every one of them.
   */
  private void runSlot(long slot) {
    if (late != null && lateCountsFrom < 0 && lateJoined()) {
      lateCountsFrom = slot;
    }
    Set<Integer> participants = new HashSet<>();
    for (DevnetMember m : members) {
      if (m != late || lateCountsFrom >= 0) {
        participants.add(m.index());
      }
    }
    int proposer = (int) ((slot - 1) % o.nodes());
    DevnetMember.Proposal p = members.get(proposer).propose(slot, headRoot, random.nextLong());
    headRoot = p.root();
    publishedRoots.put(slot, headRoot);
    Set<Integer> receivers = new HashSet<>(participants);
    receivers.remove(proposer);
    tracker.published(slot, proposer, receivers, p.publishedNanos());
    if (!p.accepted()) {
      LOG.warn("slot {}: the block publish was refused", slot);
    }
    for (DevnetMember m : members) {
      // the late node attests before it has joined too; only what it publishes once joined counts
      if (participants.contains(m.index())) {
        attestations.published(slot, m.index(), participants);
      }
      m.attest(slot, random.nextLong());
    }
  }

  // ------------------------------------------------------------------ late node

  private void startLateNode() {
    late = startNode(o.nodes());
    lateStartedSlot = slotsRun + 1;
    dial(late, 0);
    dial(late, 1);
    awaitLateJoined(Duration.ofSeconds(10));
    Map<Long, byte[]> expected = new TreeMap<>();
    for (long s = 1; s < lateStartedSlot; s++) {
      byte[] root = publishedRoots.get(s);
      if (root != null) {
        expected.put(s, root);
      }
    }
    late.sync(started.get(0).peerId(), expected).whenComplete((r, e) -> {
      if (e != null) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        syncProblems.add("sync failed: " + t.getMessage());
        return;
      }
      syncedBlocks = r.blocks();
      syncProblems.addAll(r.problems());
      if (r.problems().isEmpty()) {
        syncNanos = r.nanos();
      }
    });
  }

  /**
   * Whether the late node has joined: it is connected to n0 and n1, knows them as subscribers of
   * the block and attestation topics, and they know it as one (so their forwarding, gossip and
   * publishing include it and its publishing includes them).
   */
  private boolean lateJoined() {
    String lateId = started.get(late.index()).peerId();
    if (!late.mesh().subscribedPeers().containsAll(List.of(started.get(0).peerId(), started.get(1).peerId()))) {
      return false;
    }
    for (int i = 0; i < 2; i++) {
      if (!members.get(i).mesh().subscribedPeers().contains(lateId)) {
        return false;
      }
    }
    return true;
  }

  /** Waits (at most {@code max}) for the late node to join, so that it counts from this slot. */
  private void awaitLateJoined(Duration max) {
    long t0 = System.nanoTime();
    long deadline = t0 + max.toNanos();
    while (!interrupted.get() && System.nanoTime() < deadline) {
      if (lateJoined()) {
        LOG.info("the late node joined after {} ms", (System.nanoTime() - t0) / 1_000_000);
        return;
      }
      sleepUntil(System.nanoTime() + 20_000_000L);
    }
    LOG.warn("the late node has not joined after {} ms; it counts from the first slot it has", max.toMillis());
  }

  /**
   * After the settle time, waits (at most {@code max} more, less on Ctrl-C) while blocks or
   * attestations are still missing: on a busy machine a last delivery can take a few seconds, and
   * a slow arrival is not a lost one.
   */
  private void awaitDeliveries(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!interrupted.get() && System.nanoTime() < deadline
        && (!tracker.missing().isEmpty() || !attestations.missing().isEmpty())) {
      sleepUntil(System.nanoTime() + 50_000_000L);
    }
  }

  private void awaitSync(Duration max) {
    if (late == null) {
      return;
    }
    long deadline = System.nanoTime() + max.toNanos();
    while (syncNanos < 0 && syncProblems.isEmpty() && System.nanoTime() < deadline) {
      sleepUntil(System.nanoTime() + 50_000_000L);
    }
  }

  // ------------------------------------------------------------------ output

  private String status(long slot) {
    return String.format(Locale.ROOT, "slot %d%s | head %s | blocks %d | late node: %s", slot,
        o.slots() > 0 ? "/" + o.slots() : "", Hex.encode(headRoot).substring(0, 8), tracker.blockCount(),
        late == null ? (o.lateJoinSlot() > 0 ? "joins after slot " + o.lateJoinSlot() : "none")
            : syncNanos >= 0 ? "synced " + syncedBlocks + " blocks in " + Percentiles.ms(syncNanos) + " ms"
            : syncProblems.isEmpty() ? "syncing" : "sync FAILED");
  }

  private List<NodeRow> rows() {
    List<NodeRow> rows = new ArrayList<>();
    for (DevnetMember m : members) {
      rows.add(m.row());
    }
    return rows;
  }

  private String propagationLine() {
    Percentiles a = tracker.arrivalLatency();
    Percentiles f = tracker.fullPropagation();
    return String.format(Locale.ROOT, "block propagation: to a node p50 %s ms p99 %s ms | to all nodes p50 %s ms p99 %s ms | missing %d",
        Percentiles.ms(a.p50()), Percentiles.ms(a.p99()), Percentiles.ms(f.p50()), Percentiles.ms(f.p99()),
        tracker.missing().size());
  }

  private DevnetSummary summary() {
    long reqs = 0;
    long fails = 0;
    long drops = 0;
    for (DevnetMember m : members) {
      DevnetMember.Counters c = m.counters();
      reqs += c.requests();
      fails += c.requestFailures();
      drops += c.drops();
    }
    return new DevnetSummary(o.nodes(), o.transport().name(), slotsRun, SignedBlocks.encodedSize(o.blockSize()),
        tracker.blockCount(), tracker.expectedArrivals(), tracker.missing(), tracker.arrivalLatency(),
        tracker.fullPropagation(), late != null, lateStartedSlot, lateCountsFrom, syncedBlocks, syncNanos,
        List.copyOf(syncProblems), attestations.expectedCount(), attestations.receivedCount(), attestations.missing(),
        reqs, fails, drops);
  }

  /** Whether stdout is an interactive terminal (Console.isTerminal() on JDK 22+, else console presence). */
  static boolean isTerminal() {
    java.io.Console c = System.console();
    String term = System.getenv("TERM");
    if (c == null || term == null || term.equals("dumb")) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: a console exists only when stdin and stdout are terminals
    }
  }

  private static String sizeText(int bytes) {
    return bytes >= 1024 ? String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0) : bytes + " B";
  }

  private static void sleepUntil(long nanos) {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
