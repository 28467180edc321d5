package io.leanp2p.cli.devnet;

import io.leanp2p.cli.metrics.MetricsServer;
import io.leanp2p.metrics.prometheus.LeanP2pCollector;
import io.leanp2p.util.DecodeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lean-p2p devnet-worker} (hidden): hosts some of the devnet's nodes in a child JVM for
 * {@code devnet --processes}. Speaks {@link WorkerProtocol} on stdin / stdout (nothing else is
 * written to stdout: {@code System.out} is pointed at stderr, where the logs go). Ignores SIGINT
 * (Ctrl-C on a terminal reaches the whole process group; the parent ends the run), and exits when
 * its stdin ends or its parent process dies, closing its nodes first.
 */
@Command(name = "devnet-worker", hidden = true, mixinStandardHelpOptions = true,
    description = "Internal: hosts devnet nodes for 'devnet --processes', driven over stdin/stdout.")
public final class DevnetWorkerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(DevnetWorkerCommand.class);

  @Option(names = "--process", required = true, paramLabel = "K", description = "This process's number (for logs).")
  int process;

  @Option(names = "--fork-digest", required = true, paramLabel = "NAME", description = "The topics' network name.")
  String forkDigest;

  @Option(names = "--block-size", required = true, paramLabel = "BYTES", description = "Proof bytes per block.")
  int blockSize;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve this process's nodes' metrics here.")
  Integer metricsPort;

  @Option(names = "--warm-up", paramLabel = "tcp|quic",
      description = "Before saying hello, connect a throwaway pair of nodes over this transport and pass one block "
          + "(so that a late node's join measures the network, not the JVM's class loading).")
  String warmUp;

  private final Map<Integer, LocalMember> members = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private PrintStream protocolOut;
  private DevnetTopics topics;

  @Override
  public Integer call() throws Exception {
    protocolOut = System.out;
    System.setOut(System.err);
    topics = DevnetTopics.of(forkDigest);
    ignoreSigint();
    ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> {
      LOG.warn("process {}: the parent process is gone; exiting", process);
      shutdownAndExit();
    }));
    MetricsServer metrics = null;
    try {
      if (metricsPort != null) {
        metrics = MetricsServer.start("127.0.0.1", metricsPort, () -> members.values().stream()
            .map(m -> new LeanP2pCollector.Source(Map.of("node", m.name()), m::metrics)).toList());
      }
      if (warmUp != null) {
        warmUp(warmUp);
      }
      emit(WorkerProtocol.hello(ProcessHandle.current().pid(), metrics != null ? metrics.port() : null));
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          handle(line);
        }
      } catch (IOException e) {
        LOG.warn("process {}: stdin: {}", process, e.toString());
      }
      LOG.info("process {}: stdin ended; closing {} nodes", process, members.size());
      return 0;
    } finally {
      closeMembers();
      if (metrics != null) {
        metrics.close();
      }
    }
  }

  private void handle(String line) {
    Map<String, Object> m;
    long id;
    try {
      m = WorkerProtocol.parse(line);
      id = WorkerProtocol.number(m, "id");
    } catch (DecodeException e) {
      LOG.warn("process {}: bad command line ({}): {}", process, e.getMessage(), line);
      return;
    }
    try {
      String cmd = WorkerProtocol.string(m, "cmd");
      int node = (int) WorkerProtocol.number(m, "node");
      Map<String, Object> body = switch (cmd) {
        case "start" -> start(node, m);
        case "dial" -> {
          member(node).dial(WorkerProtocol.string(m, "addr"));
          yield Map.of();
        }
        case "propose" -> WorkerProtocol.proposal(member(node).propose(WorkerProtocol.number(m, "slot"),
            WorkerProtocol.root(m.get("parent"), "parent"), WorkerProtocol.number(m, "seed")));
        case "attest" -> Map.of("accepted",
            member(node).attest(WorkerProtocol.number(m, "slot"), WorkerProtocol.number(m, "seed")));
        case "mesh" -> WorkerProtocol.mesh(member(node).mesh());
        case "row" -> WorkerProtocol.row(member(node).row());
        case "counters" -> WorkerProtocol.counters(member(node).counters());
        case "sync" -> {
          member(node).sync(WorkerProtocol.string(m, "peer"), WorkerProtocol.expected(m)).whenComplete((r, e) ->
              emit(e == null ? WorkerProtocol.reply(id, WorkerProtocol.syncResult(r)) : WorkerProtocol.error(id, e.toString())));
          yield null; // replied when the sync ends
        }
        default -> throw DecodeException.malformed("unknown command " + cmd);
      };
      if (body != null) {
        emit(WorkerProtocol.reply(id, body));
      }
    } catch (DecodeException | RuntimeException e) {
      LOG.warn("process {}: command {} failed", process, line, e);
      emit(WorkerProtocol.error(id, e.getMessage() != null ? e.getMessage() : e.toString()));
    }
  }

  /**
   * Two throwaway nodes connect, pass two blocks by gossip, and the second syncs them from the first
   * (status, blocks_by_root, blocks_by_range): every code path the late node needs is then loaded and
   * warm. Bounded (about 20 s at most); failures are only logged.
   */
  private void warmUp(String transport) {
    long t0 = System.nanoTime();
    java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(2);
    List<String> listen = List.of(transport.equals("tcp") ? "/ip4/127.0.0.1/tcp/0" : "/ip4/127.0.0.1/udp/0/quic-v1");
    LocalMember a = new LocalMember(9000, transport, topics, blockSize, (slot, n, nanos) -> { });
    LocalMember b = new LocalMember(9001, transport, topics, blockSize, (slot, n, nanos) -> arrived.countDown());
    try {
      DevnetMember.Started sa = a.start(listen);
      b.start(listen);
      b.dial(sa.addresses().get(0));
      long deadline = System.nanoTime() + 5_000_000_000L;
      while ((a.mesh().subscribers() < 1 || b.mesh().subscribers() < 1) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      byte[] root = a.propose(1, new byte[32], 1).root();
      a.propose(2, root, 2);
      boolean passed = arrived.await(3, java.util.concurrent.TimeUnit.SECONDS);
      DevnetMember.SyncResult r = b.sync(sa.peerId(), Map.of()).get(10, java.util.concurrent.TimeUnit.SECONDS);
      LOG.info("process {}: warm-up over {} in {} ms: blocks passed {}, sync {}", process, transport,
          (System.nanoTime() - t0) / 1_000_000, passed, r);
    } catch (RuntimeException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("process {}: warm-up failed: {}", process, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      a.close();
      b.close();
    }
  }

  private Map<String, Object> start(int node, Map<String, Object> m) throws DecodeException {
    if (members.containsKey(node)) {
      throw DecodeException.malformed("n" + node + " is already started");
    }
    LocalMember lm = new LocalMember(node, WorkerProtocol.string(m, "transport"), topics, blockSize,
        new DevnetMember.Arrivals() {
          @Override
          public void arrived(long slot, int n, long nanos) {
            emit(WorkerProtocol.block(slot, n, nanos));
          }

          @Override
          public void attested(long slot, int validator, int n) {
            emit(WorkerProtocol.attestation(slot, validator, n));
          }
        });
    DevnetMember.Started s;
    try {
      s = lm.start(WorkerProtocol.strings(m, "listen"));
    } catch (RuntimeException e) {
      lm.close();
      throw e;
    }
    members.put(node, lm);
    return WorkerProtocol.started(s);
  }

  private LocalMember member(int node) throws DecodeException {
    LocalMember m = members.get(node);
    if (m == null) {
      throw DecodeException.malformed("no node n" + node + " in process " + process);
    }
    return m;
  }

  private void emit(Map<String, Object> m) {
    String line = WorkerProtocol.line(m);
    synchronized (protocolOut) {
      protocolOut.print(line);
      protocolOut.print('\n');
      protocolOut.flush();
    }
  }

  private void closeMembers() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(10_000);
        LOG.error("process {}: closing the nodes took over 10 s; halting", process);
        Runtime.getRuntime().halt(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "devnet-worker-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    for (LocalMember m : List.copyOf(members.values())) {
      m.close();
    }
  }

  private void shutdownAndExit() {
    Thread t = new Thread(() -> {
      closeMembers();
      Runtime.getRuntime().halt(0);
    }, "devnet-worker-exit");
    t.setDaemon(true);
    t.start();
  }

  private static void ignoreSigint() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.debug("cannot ignore SIGINT: {}", e.toString());
    }
  }
}
