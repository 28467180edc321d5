package io.leanp2p.cli.devnet;

import io.leanp2p.lean.SignedBlock;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lean-p2p devnet}: a local simulated lean network with a live table, in one JVM or spread
 * over child JVMs ({@code --processes}).
 */
@Command(
    name = "devnet",
    mixinStandardHelpOptions = true,
    description = {
      "Run a local lean devnet: N nodes on 127.0.0.1 (in this JVM, or spread over child JVMs with "
          + "--processes P), each its own LeanNetwork, meshed "
          + "over gossipsub on the lean topics. Every slot a rotating proposer publishes a SignedBlock "
          + "and every node publishes an attestation; every node validates and counts what it gets. "
          + "Status is exchanged on connect. After a few slots a late node joins and syncs the blocks it "
          + "missed: status from a peer, blocks_by_root for the head that peer announces (its parent is "
          + "missing locally), blocks_by_range for the rest, every parent root checked.",
      "A table refreshes every slot (in place on a terminal); a summary prints at the end "
          + "(--slots N, or Ctrl-C). Exit code 0 when every node got every block and every attestation "
          + "published while it was in the network (connected, subscriptions known both ways; the late node "
          + "from the slot it joined in) and the late node synced, 1 otherwise."
    })
public final class DevnetCommand implements Callable<Integer> {
  /** The transports the devnet can run on. */
  public enum TransportChoice { tcp, quic, mixed }

  @Option(names = "--nodes", defaultValue = "8", paramLabel = "N",
      description = "Number of nodes started at once (default: ${DEFAULT-VALUE}); the late joiner comes on top.")
  int nodes;

  @Option(names = "--transport", defaultValue = "quic", paramLabel = "tcp|quic|mixed",
      description = "Transport between nodes: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; mixed = even nodes QUIC, odd nodes TCP, all listening on both).")
  TransportChoice transport;

  @Option(names = "--slots", defaultValue = "0", paramLabel = "N",
      description = "Stop after N slots and print the summary (default: run until Ctrl-C).")
  int slots;

  @Option(names = "--slot-ms", defaultValue = "4000", paramLabel = "MS",
      description = "Slot duration in milliseconds (default: ${DEFAULT-VALUE}).")
  int slotMs;

  @Option(names = "--block-size", defaultValue = "262144", paramLabel = "BYTES",
      description = "Random proof bytes per SignedBlock (default: ${DEFAULT-VALUE} = 256 KiB; max 524288).")
  int blockSize;

  @Option(names = "--late-join-slot", defaultValue = "3", paramLabel = "SLOT",
      description = "The late node joins after this slot and syncs (default: ${DEFAULT-VALUE}; 0 = no late node).")
  int lateJoinSlot;

  @Option(names = "--fork-digest", defaultValue = "12345678", paramLabel = "NAME",
      description = "The network name in the topics /leanconsensus/NAME/... (default: ${DEFAULT-VALUE}).")
  String forkDigest;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary as JSON to FILE.")
  Path json;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve Prometheus metrics of every node (label node=\"n0\"...) on http://127.0.0.1:PORT/metrics. "
          + "With --processes P > 1 each child process serves its own nodes: process k on PORT+k (the late node's "
          + "process is P, on PORT+P); the endpoints are printed at start.")
  Integer metricsPort;

  @Option(names = "--processes", defaultValue = "1", paramLabel = "P",
      description = "Spread the nodes over P child JVMs, node i in process i %% P, the late node in a process of its own "
          + "(default: ${DEFAULT-VALUE} = every node in this JVM; P = --nodes: one JVM per node). The children are "
          + "driven over a pipe, log to files in a temp directory, and exit with this command (or if it dies).")
  int processes;

  @Spec CommandSpec spec;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of the random block and attestation bytes (default: random).")
  Long seed;

  @Override
  public Integer call() throws Exception {
    DevnetOptions o = validate();
    return DevnetRunner.run(o, spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  DevnetOptions validate() {
    if (nodes < 2 || nodes > 64) {
      throw new io.leanp2p.cli.UsageException("--nodes must be in [2, 64], got " + nodes);
    }
    if (slots < 0) {
      throw new io.leanp2p.cli.UsageException("--slots must be >= 0");
    }
    if (slotMs < 200 || slotMs > 60_000) {
      throw new io.leanp2p.cli.UsageException("--slot-ms must be in [200, 60000], got " + slotMs);
    }
    if (blockSize < 0 || blockSize > SignedBlock.MAX_PROOF) {
      throw new io.leanp2p.cli.UsageException("--block-size must be in [0, " + SignedBlock.MAX_PROOF + "]");
    }
    if (processes < 1 || processes > nodes) {
      throw new io.leanp2p.cli.UsageException("--processes must be in [1, --nodes = " + nodes + "], got " + processes);
    }
    if (metricsPort != null && (metricsPort < 1 || metricsPort > 65535)) {
      throw new io.leanp2p.cli.UsageException("--metrics-port must be in [1, 65535]");
    }
    if (metricsPort != null && processes > 1 && metricsPort + processes > 65535) {
      throw new io.leanp2p.cli.UsageException("--metrics-port: PORT+" + processes + " (one port per process) must be <= 65535");
    }
    if (lateJoinSlot < 0) {
      throw new io.leanp2p.cli.UsageException("--late-join-slot must be >= 0");
    }
    return new DevnetOptions(nodes, transport, slots, slotMs, blockSize, lateJoinSlot, forkDigest, json,
        metricsPort, processes, seed != null ? seed : new java.security.SecureRandom().nextLong());
  }

  /** The validated devnet options. */
  public record DevnetOptions(int nodes, TransportChoice transport, int slots, int slotMs, int blockSize,
      int lateJoinSlot, String forkDigest, Path json, Integer metricsPort, int processes, long seed) {}
}
