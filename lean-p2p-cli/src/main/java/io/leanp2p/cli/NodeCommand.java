package io.leanp2p.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lean-p2p node}: joins a real lean network and prints peers and traffic. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Join a lean-consensus network: listen, dial the bootnodes, subscribe to the lean topics, and "
          + "print peers and traffic every few seconds. Ctrl-C (SIGINT) or SIGTERM shuts down cleanly.",
      "Every option can also come from --config FILE (a properties file: key = option name without "
          + "the leading dashes, e.g. 'fork-digest = 12345678') or from an @argument file."
    })
public final class NodeCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE",
      description = "A properties file with defaults for every option (keys = long option names without '--').")
  Path config;

  @Option(names = "--listen", split = ",", paramLabel = "MULTIADDR",
      defaultValue = "/ip4/0.0.0.0/udp/9000/quic-v1",
      description = "Listen multiaddrs, comma-separated (default: ${DEFAULT-VALUE}).")
  List<String> listen;

  @Option(names = "--bootnodes", split = ",", paramLabel = "ADDR|ENR|@FILE",
      description = "Bootnodes: multiaddrs or ENRs, comma-separated, or @FILE with one per line.")
  List<String> bootnodes = List.of();

  @Option(names = "--key-file", paramLabel = "FILE", defaultValue = "lean-p2p.key",
      description = "The secp256k1 identity key (32 bytes hex); created with mode 0600 if missing (default: ${DEFAULT-VALUE}).")
  Path keyFile;

  @Option(names = "--fork-digest", paramLabel = "NAME", defaultValue = "12345678",
      description = "The network name in the topic strings /leanconsensus/NAME/... (default: ${DEFAULT-VALUE}).")
  String forkDigest;

  @Option(names = "--topics", split = ",", paramLabel = "NAME", defaultValue = "block,attestation_0,aggregation",
      description = "Topic names to subscribe (default: ${DEFAULT-VALUE}).")
  List<String> topics;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve Prometheus metrics on http://0.0.0.0:PORT/metrics.")
  Integer metricsPort;

  @Option(names = "--forward", description = "Validate received gossip as ACCEPT (forward it) when its payload is valid snappy; by default it is IGNOREd (not forwarded): this node cannot check lean consensus rules.")
  boolean forward;

  @Option(names = "--print-interval", paramLabel = "SECONDS", defaultValue = "5",
      description = "Seconds between status lines (default: ${DEFAULT-VALUE}).")
  int printInterval;

  /**
   * If the arguments carry {@code --config FILE} for {@code node}, makes that properties file the
   * default provider of the node subcommand (keys are the long option names without dashes).
   * Called before parsing; an unreadable file is a usage error.
   */
  static void installConfigDefaults(CommandLine root, String[] args) {
    CommandLine node = root.getSubcommands().get("node");
    if (node == null) {
      return;
    }
    for (int i = 0; i < args.length; i++) {
      String file = null;
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = args[i + 1];
      } else if (args[i].startsWith("--config=")) {
        file = args[i].substring("--config=".length());
      }
      if (file != null) {
        File f = new File(file);
        if (!f.canRead()) {
          throw new UsageException("cannot read --config file " + file);
        }
        node.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(f));
        return;
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    return NodeMain.run(this);
  }

}
