package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code node} takes the command line lean-quickstart's client-cmds give a client. */
class NodeCommandTest {
  static NodeCommand parse(String... args) {
    CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    return cl.parseArgs(Main.protectAtFileValues(args)).subcommand().commandSpec().commandLine().getCommand();
  }

  /** The binary-mode line of lean-quickstart's "adding a new client" template, with every optional flag set. */
  @Test
  void acceptsTheLeanQuickstartTemplateLine() {
    NodeCommand c = parse("node",
        "--data-dir", "/data/lean-p2p_0",
        "--genesis", "/config/config.yaml",
        "--validators", "/config/validators.yaml",
        "--bootnodes", "/config/nodes.yaml",
        "--node-id", "lean-p2p_0",
        "--node-key", "/config/lean-p2p_0.key",
        "--listen-port", "9008",
        "--metrics-port", "9108",
        "--api-port", "5058",
        "--attestation-committee-count", "4",
        "--aggregator",
        "--aggregate-subnet-ids", "0,1,2,3",
        "--checkpoint-sync-url", "http://127.0.0.1:5052");
    assertThat(c.nodeId).isEqualTo("lean-p2p_0");
    assertThat(c.nodeKey).isEqualTo(Path.of("/config/lean-p2p_0.key"));
    assertThat(c.bootnodes).containsExactly("/config/nodes.yaml");
    assertThat(c.listenPort).isEqualTo(9008);
    assertThat(c.metricsPort).isEqualTo(9108);
    assertThat(c.dataDir).isEqualTo(Path.of("/data/lean-p2p_0"));
    assertThat(c.unusedGiven()).containsExactly(
        "--genesis /config/config.yaml", "--validators /config/validators.yaml", "--api-port 5058",
        "--aggregator", "--aggregate-subnet-ids 0,1,2,3", "--attestation-committee-count 4",
        "--checkpoint-sync-url http://127.0.0.1:5052");
  }

  /** Flags other clients' client-cmds use (ream, ethlambda, gean, lantern, qlean): accepted too. */
  @Test
  void acceptsTheOtherClientsFlagNames() {
    NodeCommand c = parse("node",
        "--network", "/config/config.yaml", "--validator-registry-path", "/config/annotated_validators.yaml",
        "--validator-config", "/config/validator-config.yaml", "--hash-sig-keys-dir", "/config/hash-sig-keys",
        "--custom-network-config-dir", "/config", "--http-address", "0.0.0.0", "--http-port", "5055",
        "--metrics-address", "127.0.0.1", "--is-aggregator");
    assertThat(c.metricsAddress).isEqualTo("127.0.0.1");
    assertThat(c.unusedGiven()).hasSize(8);
  }

  /** docs/lean-quickstart/lean-p2p-cmd.sh, sourced as lean-quickstart's spin-node.sh does, gives a line node takes. */
  @Test
  void theShippedLauncherSnippetParses() throws Exception {
    Path snippet = Path.of(System.getProperty("leanp2p.repoRoot", "..")).resolve("docs/lean-quickstart/lean-p2p-cmd.sh");
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source \"$0\" && printf '%s\\n' $node_binary && echo \"setup=$node_setup\"",
        snippet.toString());
    pb.environment().putAll(java.util.Map.of("scriptDir", "/qs", "dataDir", "/qs/data", "item", "lean-p2p_0",
        "configDir", "/qs/genesis", "quicPort", "9008", "metricsPort", "9108", "apiPort", "5058",
        "privKeyPath", "lean-p2p_0.key", "isAggregator", "true", "aggregateSubnetIds", "0,1"));
    pb.environment().put("attestationCommitteeCount", "2");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    java.util.List<String> words = out.lines().toList();
    assertThat(words.get(0)).isEqualTo("/qs/../lean-p2p/lean-p2p");
    assertThat(words.get(words.size() - 1)).isEqualTo("setup=binary");
    NodeCommand c = parse(words.subList(1, words.size() - 1).toArray(String[]::new));
    assertThat(c.nodeId).isEqualTo("lean-p2p_0");
    assertThat(c.nodeKey).isEqualTo(Path.of("/qs/genesis/lean-p2p_0.key"));
    assertThat(c.bootnodes).containsExactly("/qs/genesis/nodes.yaml");
    assertThat(c.listenPort).isEqualTo(9008);
    assertThat(c.metricsPort).isEqualTo(9108);
    assertThat(c.dataDir).isEqualTo(Path.of("/qs/data/lean-p2p_0"));
    assertThat(c.unusedGiven()).contains("--api-port 5058", "--is-aggregator", "--aggregate-subnet-ids 0,1",
        "--attestation-committee-count 2");
  }

  @Test
  void noUnusedFlagsNoLine() {
    assertThat(parse("node", "--listen-port", "1").unusedGiven()).isEmpty();
  }

  /** Without peer flags the node runs the library's defaults; the flags reach the policy. */
  @Test
  void peerPolicyFlags() {
    NodeCommand d = parse("node");
    assertThat(d.maxPeers).isEqualTo(io.leanp2p.node.NetworkConfig.builder().build().maxPeers());
    assertThat(NodeMain.peerPolicy(d)).isEqualTo(io.leanp2p.node.PeerPolicyConfig.defaults());

    NodeCommand c = parse("node", "--max-peers", "20", "--inbound-share", "0.5", "--silent-grace", "0",
        "--graylist-backoff", "90");
    assertThat(c.maxPeers).isEqualTo(20);
    io.leanp2p.node.PeerPolicyConfig p = NodeMain.peerPolicy(c);
    assertThat(p.maxInbound(c.maxPeers)).isEqualTo(10);
    assertThat(p.silentGrace()).isEqualTo(java.time.Duration.ZERO);
    assertThat(p.graylistBackoff()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(p.evictForNewcomers()).isTrue();
  }

  @Test
  void peerPolicyFlagsOutOfRangeAreUsageErrors() {
    for (String[] bad : new String[][] {{"--inbound-share", "0"}, {"--inbound-share", "1.5"},
        {"--silent-grace", "-1"}, {"--graylist-backoff", "-5"}}) {
      NodeCommand c = parse("node", bad[0], bad[1]);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeMain.peerPolicy(c))
          .as(String.join(" ", bad)).isInstanceOf(UsageException.class).hasMessageContaining(bad[0]);
    }
  }
}
