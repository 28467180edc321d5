package io.leanp2p.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lean-p2p node}: joins a real lean network (e.g. a lean-quickstart devnet, as its binary-mode
 * client) and prints peers and traffic.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Join a lean-consensus network: listen, dial the bootnodes, subscribe to the lean topics, and "
          + "print peers and traffic every few seconds. Ctrl-C (SIGINT) or SIGTERM shuts down cleanly.",
      "A lean-quickstart devnet starts it with its own flags: --node-id NAME --node-key DIR/NAME.key "
          + "--bootnodes DIR/nodes.yaml --listen-port QUIC_PORT --metrics-port PORT --data-dir DIR "
          + "(see docs/lean-quickstart.md); the node skips its own entry in nodes.yaml and dials the rest over QUIC. "
          + "Flags of other lean clients that this node has no use for are accepted and listed once at start.",
      "Every option can also come from --config FILE (a properties file: key = option name without "
          + "the leading dashes, e.g. 'fork-digest = 12345678') or from an @argument file."
    })
public final class NodeCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE",
      description = "A properties file with defaults for every option (keys = long option names without '--').")
  Path config;

  @Option(names = "--node-id", paramLabel = "NAME",
      description = "This node's name (lean-quickstart: e.g. lean-p2p_0): the client label of the leanMetrics "
          + "metrics and the name in logs (default: unknown).")
  String nodeId;

  @Option(names = "--node-key", paramLabel = "FILE",
      description = "The secp256k1 identity key, 64 hex digits (lean-quickstart's NAME.key); must exist.")
  Path nodeKey;

  @Option(names = "--key-file", paramLabel = "FILE",
      description = "Like --node-key, but created (mode 0600) when missing (default: DATA_DIR/lean-p2p.key with "
          + "--data-dir, else ./lean-p2p.key).")
  Path keyFile;

  @Option(names = "--listen-port", paramLabel = "PORT",
      description = "Listen for QUIC on /ip4/0.0.0.0/udp/PORT/quic-v1 (lean-quickstart's quic port); replaces --listen.")
  Integer listenPort;

  @Option(names = "--listen", split = ",", paramLabel = "MULTIADDR",
      defaultValue = "/ip4/0.0.0.0/udp/9000/quic-v1",
      description = "Listen multiaddrs, comma-separated, /udp/PORT/quic-v1 and/or /tcp/PORT (default: ${DEFAULT-VALUE}).")
  List<String> listen;

  @Option(names = "--bootnodes", split = ",", paramLabel = "ADDR|ENR|FILE",
      description = "Bootnodes: multiaddrs or ENRs, comma-separated, or a file (FILE or @FILE): lean-quickstart's "
          + "nodes.yaml (a YAML list of ENRs) or one entry per line. Entries naming this node are skipped.")
  List<String> bootnodes = List.of();

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Directory for this node's files (created if missing): the --key-file default lives there.")
  Path dataDir;

  @Option(names = "--fork-digest", paramLabel = "NAME", defaultValue = "12345678",
      description = "The network name in the topic strings /leanconsensus/NAME/... (default: ${DEFAULT-VALUE}).")
  String forkDigest;

  @Option(names = "--topics", split = ",", paramLabel = "NAME", defaultValue = "block,attestation_0,aggregation",
      description = "Topic names to subscribe (default: ${DEFAULT-VALUE}).")
  List<String> topics;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve Prometheus metrics (leanMetrics network metrics and lean-p2p's own) on "
          + "http://METRICS_ADDRESS:PORT/metrics.")
  Integer metricsPort;

  @Option(names = "--metrics-address", paramLabel = "HOST", defaultValue = "0.0.0.0",
      description = "Address the metrics endpoint binds to (default: ${DEFAULT-VALUE}).")
  String metricsAddress;

  @Option(names = "--forward", description = "Validate received gossip as ACCEPT (forward it) when its payload is valid snappy; by default it is IGNOREd (not forwarded): this node cannot check lean consensus rules.")
  boolean forward;

  @Option(names = "--print-interval", paramLabel = "SECONDS", defaultValue = "5",
      description = "Seconds between status lines (default: ${DEFAULT-VALUE}).")
  int printInterval;

  @Option(names = "--max-peers", paramLabel = "N", defaultValue = "64",
      description = "Peers connected at most (default: ${DEFAULT-VALUE}); bootnodes always find room. "
          + "docs/security.md (\"Peers\") has the whole policy.")
  int maxPeers;

  @Option(names = "--inbound-share", paramLabel = "FRACTION", defaultValue = "0.75",
      description = "Share of --max-peers inbound peers may take, in (0, 1] (default: ${DEFAULT-VALUE}); "
          + "the rest is kept for this node's own dials.")
  double inboundShare;

  @Option(names = "--silent-grace", paramLabel = "SECONDS", defaultValue = "30",
      description = "Disconnect a peer (not a bootnode) that sent no gossipsub or req/resp traffic "
          + "this long after connecting; 0 disables it (default: ${DEFAULT-VALUE}).")
  long silentGraceSeconds;

  @Option(names = "--graylist-backoff", paramLabel = "SECONDS", defaultValue = "600",
      description = "Disconnect a peer whose gossipsub score fell below the graylist threshold and refuse it "
          + "this long; 0 keeps it connected (its RPCs are still ignored) (default: ${DEFAULT-VALUE}).")
  long graylistBackoffSeconds;

  @ArgGroup(exclusive = false, validate = false, heading = "%nAccepted for lean-quickstart and listed once at start, not used:%n")
  Unused unused = new Unused();

  @Spec CommandSpec spec;

  /**
   * Options other lean clients take in lean-quickstart's client-cmds (and its "adding a new client"
   * template) that this node has no use for: accepted so that the same launcher line works, and
   * listed once at start.
   */
  static final class Unused {
    @Option(names = {"--genesis", "--network", "--genesis-config"}, paramLabel = "FILE",
        description = "Chain config (config.yaml).")
    String genesis;

    @Option(names = {"--custom_genesis", "--custom-network-config-dir", "--genesis-dir"}, paramLabel = "DIR",
        description = "The genesis directory.")
    String genesisDir;

    @Option(names = {"--validators", "--validator-registry-path"}, paramLabel = "FILE",
        description = "Validator assignments (validators.yaml / annotated_validators.yaml).")
    String validators;

    @Option(names = "--validator-config", paramLabel = "FILE", description = "validator-config.yaml.")
    String validatorConfig;

    @Option(names = {"--hash-sig-keys-dir", "--hash-sig-key-dir"}, paramLabel = "DIR",
        description = "Post-quantum validator keys.")
    String hashSigKeysDir;

    @Option(names = {"--api-port", "--http-port"}, paramLabel = "PORT", description = "REST API port.")
    String apiPort;

    @Option(names = "--http-address", paramLabel = "HOST", description = "REST API address.")
    String httpAddress;

    @Option(names = {"--is-aggregator", "--aggregator"}, description = "Aggregator duty.")
    boolean aggregator;

    @Option(names = "--aggregate-subnet-ids", paramLabel = "IDS", description = "Subnets an aggregator covers.")
    String aggregateSubnetIds;

    @Option(names = "--attestation-committee-count", paramLabel = "N", description = "ATTESTATION_COMMITTEE_COUNT.")
    String attestationCommitteeCount;

    @Option(names = "--checkpoint-sync-url", paramLabel = "URL", description = "Checkpoint sync source.")
    String checkpointSyncUrl;
  }

  /** The lean-quickstart options given that this node does not use, as "--name value" (for the start line). */
  List<String> unusedGiven() {
    List<String> out = new ArrayList<>();
    CommandLine.ParseResult pr = spec.commandLine().getParseResult();
    for (CommandLine.Model.ArgGroupSpec g : spec.argGroups()) {
      for (CommandLine.Model.OptionSpec o : g.options()) {
        if (pr != null && pr.hasMatchedOption(o)) {
          String name = nameUsed(o, pr.expandedArgs());
          out.add(o.arity().max() == 0 ? name : name + " " + o.getValue());
        }
      }
    }
    return out;
  }

  /** The name of {@code o} as written on the command line (options have aliases). */
  private static String nameUsed(CommandLine.Model.OptionSpec o, List<String> args) {
    for (String a : args) {
      for (String n : o.names()) {
        if (a.equals(n) || a.startsWith(n + "=")) {
          return n;
        }
      }
    }
    return o.longestName();
  }

  /** Whether {@code --listen} was given on the command line or in --config. */
  boolean listenGiven() {
    CommandLine.ParseResult pr = spec.commandLine().getParseResult();
    boolean onCommandLine = pr != null && pr.hasMatchedOption("--listen");
    return onCommandLine || (config != null && configHas("listen"));
  }

  private boolean configHas(String key) {
    java.util.Properties p = new java.util.Properties();
    try (var in = java.nio.file.Files.newBufferedReader(config)) {
      p.load(in);
    } catch (java.io.IOException e) {
      return false;
    }
    return p.containsKey(key);
  }

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
          throw new UsageException("cannot read --config file " + file + " (a properties file, e.g. 'fork-digest = 12345678')");
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
