package io.leanp2p.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lean-p2p bench}: gossip throughput and latency between two peers on loopback. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Gossip throughput and latency between two peers on 127.0.0.1, each a 'peer' process driven "
          + "over the JSON-lines peer protocol: ours<->ours, ours<->js and js<->js (the js peer is "
          + "interop/js/peer.mjs; pairs with js are skipped when node or the peer is missing).",
      "For each pair, transport (TCP, QUIC) and payload size: an untimed warm-up, then one message in flight "
          + "for latency (p50/p99 publish->receive), then a window of messages for throughput (msgs/s, MB/s) "
          + "with the CPU time each peer process used. Publishers build their own payloads "
          + "({\"cmd\":\"publish\",\"size\":N}), so no payload crosses the driver's pipe.",
      "LEANP2P_PEER_JVM_OPTS (environment) adds JVM options to our peer processes, e.g. a JFR recording.",
      "The results print as a Markdown table and are written into docs/benchmarks.md (section 'Gossip bench')."
    })
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--pairs", split = ",", defaultValue = "ours-ours,ours-js,js-js", paramLabel = "PAIR",
      description = "Pairs to run (default: ${DEFAULT-VALUE}).")
  List<String> pairs;

  @Option(names = "--transports", split = ",", defaultValue = "tcp,quic", paramLabel = "T",
      description = "Transports (default: ${DEFAULT-VALUE}).")
  List<String> transports;

  @Option(names = "--sizes", split = ",", defaultValue = "1024,65536,524288", paramLabel = "BYTES",
      description = "Payload sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> sizes;

  @Option(names = "--latency-count", defaultValue = "200", paramLabel = "N",
      description = "Messages for the latency run, one in flight (default: ${DEFAULT-VALUE}).")
  int latencyCount;

  @Option(names = "--throughput-mb", defaultValue = "64", paramLabel = "MB",
      description = "Megabytes per throughput run (default: ${DEFAULT-VALUE}); at least 50 messages.")
  int throughputMb;

  @Option(names = "--window", defaultValue = "32", paramLabel = "N",
      description = "Messages in flight in the throughput run (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--out", defaultValue = "docs/benchmarks.md", paramLabel = "FILE",
      description = "The Markdown file whose 'Gossip bench' section is replaced (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    return BenchMain.run(this);
  }
}
