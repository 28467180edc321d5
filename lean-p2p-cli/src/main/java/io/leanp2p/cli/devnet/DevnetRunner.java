package io.leanp2p.cli.devnet;

import io.leanp2p.cli.Signals;
import io.leanp2p.cli.UsageException;
import io.leanp2p.cli.metrics.MetricsServer;
import io.leanp2p.cli.metrics.PrometheusAdapter;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.StartException;
import io.leanp2p.protocol.reqresp.LeanProtocol;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import io.leanp2p.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the devnet: starts the nodes, meshes them, drives the simulated chain slot by slot,
 * brings in the late node and syncs it, refreshes the table, prints the summary.
 */
final class DevnetRunner {
  private static final Logger LOG = LoggerFactory.getLogger(DevnetRunner.class);
  private static final Duration READY = Duration.ofSeconds(30);

  private final DevnetCommand.DevnetOptions o;
  private final PrintStream out;
  private final DevnetTopics topics;
  private final PropagationTracker tracker = new PropagationTracker();
  private final List<DevnetNode> nodes = new CopyOnWriteArrayList<>();
  private final Random random;
  private final AtomicBoolean interrupted = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private byte[] headRoot = new byte[32];
  private final Map<Long, byte[]> publishedRoots = new java.util.concurrent.ConcurrentHashMap<>();
  private long slotsRun;
  private long attestationsExpected;
  private DevnetNode late;
  private long lateJoinedSlot = -1;
  private volatile long syncNanos = -1;
  private volatile int syncedBlocks;
  private final List<String> syncProblems = new CopyOnWriteArrayList<>();

  private DevnetRunner(DevnetCommand.DevnetOptions o, PrintStream out) {
    this.o = o;
    this.out = out;
    this.topics = DevnetTopics.of(o.forkDigest());
    this.random = new Random(o.seed());
  }

  static int run(DevnetCommand.DevnetOptions o) throws Exception {
    return new DevnetRunner(o, System.out).run();
  }

  private int run() throws Exception {
    boolean tty = isTerminal();
    TableRenderer table = new TableRenderer(tty);
    out.printf(Locale.ROOT,
        "lean-p2p devnet: %d nodes in this JVM on 127.0.0.1 over %s, gossipsub on %s, attestation_0, aggregation.%n"
            + "Each slot (%d ms) a rotating proposer publishes a %s SignedBlock; every node publishes a 560 B attestation "
            + "and validates what it receives.%n%s%s%n",
        o.nodes(), o.transport(), topics.block(), o.slotMs(), sizeText(SimBlocks.MIN_SIGNED_BLOCK_BYTES + o.blockSize()),
        o.lateJoinSlot() > 0 ? "At slot " + o.lateJoinSlot() + " a late node joins and syncs the blocks it missed "
            + "(status, blocks_by_root for the head, blocks_by_range for the rest, parent roots checked). " : "",
        o.slots() > 0 ? "Runs " + o.slots() + " slots, then prints a summary." : "Runs until Ctrl-C, then prints a summary.");
    MetricsServer metrics = null;
    Signals.onTerminate(() -> {
      interrupted.set(true);
      try {
        finished.await(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, 0);
    try {
      if (o.metricsPort() != null) {
        metrics = MetricsServer.start("127.0.0.1", o.metricsPort(), () -> nodes.stream()
            .map(n -> new PrometheusAdapter.Source(Map.of("node", n.name), () -> n.network().metrics())).toList());
        out.println("Prometheus metrics: http://127.0.0.1:" + metrics.port() + "/metrics");
      }
      startNodes();
      waitForMesh();
      long start = System.nanoTime();
      for (long slot = 1; (o.slots() == 0 || slot <= o.slots()) && !interrupted.get(); slot++) {
        long slotStart = start + (slot - 1) * o.slotMs() * 1_000_000L;
        sleepUntil(slotStart);
        if (o.lateJoinSlot() > 0 && slot == o.lateJoinSlot() + 1 && late == null) {
          startLateNode();
        }
        runSlot(slot);
        slotsRun = slot;
        // refresh the table mid-slot and at the end of the slot
        sleepUntil(slotStart + o.slotMs() * 1_000_000L * 3 / 4);
        out.print(table.render(status(slot), rows(), propagationLine()));
        out.flush();
      }
      // let the last block settle
      sleepUntil(System.nanoTime() + Math.min(o.slotMs(), 3000) * 1_000_000L);
      awaitSync(Duration.ofSeconds(10));
      out.print(table.render(status(slotsRun) + " (final)", rows(), propagationLine()));
      DevnetSummary summary = summary();
      out.println();
      out.print(summary.text());
      if (o.json() != null) {
        try {
          Files.writeString(o.json(), Json.write(summary.toJson()) + "\n", StandardCharsets.UTF_8);
          out.println("summary written to " + o.json());
        } catch (IOException e) {
          out.println("cannot write " + o.json() + ": " + e.getMessage());
        }
      }
      return summary.ok() ? 0 : 1;
    } finally {
      for (DevnetNode n : nodes) {
        n.close();
      }
      if (metrics != null) {
        metrics.close();
      }
      finished.countDown();
    }
  }

  // ------------------------------------------------------------------ setup

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

  private DevnetNode startNode(int i) throws StartException, TimeoutException {
    DevnetNode n = new DevnetNode(i, transportOf(i), topics, tracker);
    nodes.add(n);
    n.start(listen(i));
    n.network().awaitReady(READY);
    for (String t : List.of(topics.block(), topics.attestation(), topics.aggregation())) {
      n.network().subscribe(t);
    }
    return n;
  }

  private void startNodes() throws Exception {
    try {
      for (int i = 0; i < o.nodes(); i++) {
        startNode(i);
      }
    } catch (StartException e) {
      throw new UsageException("devnet: a node could not start: " + e.getMessage());
    }
    // full mesh of connections: each node dials every earlier node
    for (int i = 1; i < o.nodes(); i++) {
      for (int j = 0; j < i; j++) {
        dial(nodes.get(i), nodes.get(j));
      }
    }
  }

  /** Dials {@code to} over the dialer's transport (mixed: the dialer's own kind). */
  private void dial(DevnetNode from, DevnetNode to) {
    String kind = from.transport;
    for (Multiaddr a : to.network().ready().join()) {
      if (kind.equals("quic") ? a.isQuic() : a.isTcp()) {
        from.network().dial(a.toString());
        return;
      }
    }
    LOG.warn("{} has no {} address", to.name, kind);
  }

  /**
   * Waits until every node has {@code min(N-1, 4)} mesh peers on the block topic, or, after 3 s,
   * at least knows that many subscribers (publishing then reaches them by flood publish); at most 10 s.
   */
  private void waitForMesh() {
    int want = Math.min(o.nodes() - 1, 4);
    long t0 = System.nanoTime();
    out.println("waiting for connections and the gossip mesh ...");
    while (!interrupted.get()) {
      boolean meshReady = true;
      boolean subscribersKnown = true;
      for (DevnetNode n : nodes) {
        io.leanp2p.node.NetworkSnapshot s = n.network().snapshot();
        meshReady &= s.meshPeers().getOrDefault(topics.block(), List.of()).size() >= want;
        subscribersKnown &= s.topicPeers().getOrDefault(topics.block(), List.of()).size() >= want;
      }
      long waited = System.nanoTime() - t0;
      if (meshReady || (subscribersKnown && waited > 3_000_000_000L)) {
        return;
      }
      if (waited > 10_000_000_000L) {
        out.println("(after 10 s not every node has " + want + " mesh peers or subscribers; starting anyway)");
        return;
      }
      sleepUntil(System.nanoTime() + 100_000_000L);
    }
  }

  // ------------------------------------------------------------------ slots

  private void runSlot(long slot) {
    int proposer = (int) ((slot - 1) % o.nodes());
    DevnetNode p = nodes.get(proposer);
    byte[] state = new byte[32];
    byte[] proof = new byte[o.blockSize()];
    random.nextBytes(state);
    random.nextBytes(proof);
    byte[] block = SimBlocks.build(slot, proposer, headRoot, state, proof);
    SimBlocks.Header h;
    try {
      h = SimBlocks.parse(block);
    } catch (DecodeException e) {
      throw new IllegalStateException(e);
    }
    p.store.add(h, block);
    headRoot = h.root();
    publishedRoots.put(slot, headRoot);
    Set<Integer> receivers = new HashSet<>();
    for (DevnetNode n : nodes) {
      // the late node counts from the slot after the one it joins in (its mesh is still forming)
      if (n.index != proposer && !(n == late && slot <= lateJoinedSlot)) {
        receivers.add(n.index);
      }
    }
    tracker.published(slot, proposer, receivers, System.nanoTime());
    if (!p.publish(topics.block(), block)) {
      LOG.warn("slot {}: the block publish was refused", slot);
    }
    for (DevnetNode n : nodes) {
      n.publish(topics.attestation(), LeanMessages.attestation(n.index, slot, random));
    }
    attestationsExpected += (long) nodes.size() * (nodes.size() - 1);
  }

  // ------------------------------------------------------------------ late node

  private void startLateNode() throws Exception {
    late = startNode(o.nodes());
    lateJoinedSlot = slotsRun + 1;
    dial(late, nodes.get(0));
    dial(late, nodes.get(1));
    Thread t = new Thread(this::syncLateNode, "devnet-sync");
    t.setDaemon(true);
    t.start();
  }

  /** Status from a peer → blocks_by_root for its head → blocks_by_range for the rest → link check. */
  private void syncLateNode() {
    DevnetNode n = late;
    try {
      PeerId peer = nodes.get(0).network().localPeerId();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!n.network().snapshot().isConnected(peer)) {
        if (System.nanoTime() > deadline) {
          syncProblems.add("the late node could not connect to n0");
          return;
        }
        Thread.sleep(20);
      }
      LeanMessages.Status st = n.exchangeStatus(peer).get(10, TimeUnit.SECONDS);
      if (st.headSlot() == 0) {
        syncProblems.add("n0 reported no head");
        return;
      }
      List<byte[]> head = n.request(peer, LeanProtocol.BLOCKS_BY_ROOT, LeanMessages.rootsRequest(List.of(st.headRoot())))
          .get(10, TimeUnit.SECONDS);
      if (head.size() != 1) {
        syncProblems.add("blocks_by_root for the head returned " + head.size() + " blocks");
        return;
      }
      SimBlocks.Header headBlock = SimBlocks.parse(head.get(0));
      if (!Arrays.equals(headBlock.root(), st.headRoot())) {
        syncProblems.add("blocks_by_root returned a block whose root is not the requested one");
        return;
      }
      long count = Math.min(1024, st.headSlot() - 1);
      List<byte[]> range = count == 0 ? List.of()
          : n.request(peer, LeanProtocol.BLOCKS_BY_RANGE, LeanMessages.rangeRequest(1, count)).get(20, TimeUnit.SECONDS);
      RangeVerifier.Result r = RangeVerifier.verify(1, Math.max(1, count), range, n.store);
      syncProblems.addAll(r.problems());
      List<SimBlocks.Header> chain = new ArrayList<>(r.blocks());
      chain.add(headBlock);
      syncProblems.addAll(RangeVerifier.verifyChain(chain));
      for (int i = 0; i < range.size(); i++) {
        n.store.add(SimBlocks.parse(range.get(i)), range.get(i));
      }
      n.store.add(headBlock, head.get(0));
      syncedBlocks = chain.size();
      // the sync must have brought every block published before the late node joined
      for (long s = 1; s < lateJoinedSlot; s++) {
        byte[] root = publishedRoots.get(s);
        if (root != null && !n.store.hasRoot(root)) {
          syncProblems.add("after the sync the late node still lacks the block of slot " + s);
        }
      }
      if (syncProblems.isEmpty()) {
        syncNanos = System.nanoTime() - n.startedNanos;
      }
    } catch (Exception e) {
      Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      syncProblems.add("sync failed: " + (t instanceof TimeoutException ? "timed out" : String.valueOf(t.getMessage())));
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
    for (DevnetNode n : nodes) {
      rows.add(n.row());
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
    long att = 0;
    long reqs = 0;
    long fails = 0;
    long drops = 0;
    for (DevnetNode n : nodes) {
      att += n.attestationsIn.get();
      reqs += n.requests.get();
      fails += n.requestFailures.get();
      drops += MetricsNumbers.of(n.network().metrics()).drops();
    }
    return new DevnetSummary(o.nodes(), o.transport().name(), slotsRun, SimBlocks.MIN_SIGNED_BLOCK_BYTES + o.blockSize(),
        tracker.blockCount(), tracker.expectedArrivals(), tracker.missing(), tracker.arrivalLatency(),
        tracker.fullPropagation(), late != null, syncedBlocks, syncNanos, List.copyOf(syncProblems),
        attestationsExpected, att, reqs, fails, drops);
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
