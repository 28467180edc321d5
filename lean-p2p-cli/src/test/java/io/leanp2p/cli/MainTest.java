package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MainTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void unknownFlagIsOneLineAndExitCode2() {
    Run r = run("devnet", "--no-such-flag");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("--no-such-flag").doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void unknownSubcommandIsExitCode2() {
    Run r = run("frobnicate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--tcp-port=abc", "--tcp-port=70000", "--quic-port=-1"})
  void badPortIsExitCode2(String arg) {
    Run r = run("peer", arg);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).doesNotContain("\tat ");
  }

  @Test
  void bothPortsOffIsAUsageError() {
    Run r = run("peer", "--tcp-port", "off", "--quic-port", "off");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("nothing to listen on");
  }

  @Test
  void badDevnetValuesAreUsageErrors() {
    assertThat(run("devnet", "--nodes", "1").code()).isEqualTo(2);
    assertThat(run("devnet", "--transport", "carrier-pigeon").code()).isEqualTo(2);
    assertThat(run("devnet", "--block-size", "999999999").code()).isEqualTo(2);
    assertThat(run("devnet", "--slot-ms", "5").err()).contains("--slot-ms").doesNotContain("\tat ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"devnet", "node", "peer", "bench"})
  void everySubcommandHasCompleteHelp(String sub) {
    Run r = run(sub, "--help");
    assertThat(r.code()).isZero();
    CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    for (CommandLine.Model.OptionSpec o : cl.getSubcommands().get(sub).getCommandSpec().options()) {
      assertThat(r.out()).contains(o.longestName());
      assertThat(o.description()).as(o.longestName()).isNotEmpty();
    }
  }

  @Test
  void topLevelHelpListsSubcommands() {
    Run r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("devnet", "node", "peer", "bench");
  }

  @Test
  void nodeReadsDefaultsFromConfigFile(@TempDir Path dir) throws Exception {
    Path cfg = dir.resolve("node.properties");
    Files.writeString(cfg, "fork-digest = abcdef01\nbootnodes = /ip4/1.2.3.4/tcp/9000,/ip4/5.6.7.8/tcp/9000\n");
    CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    String[] args = {"node", "--config", cfg.toString(), "--metrics-port", "9999"};
    NodeCommand.installConfigDefaults(cl, args);
    CommandLine.ParseResult pr = cl.parseArgs(args);
    NodeCommand node = pr.subcommand().commandSpec().commandLine().getCommand();
    assertThat(node.forkDigest).isEqualTo("abcdef01");
    assertThat(node.bootnodes).containsExactly("/ip4/1.2.3.4/tcp/9000", "/ip4/5.6.7.8/tcp/9000");
    assertThat(node.metricsPort).isEqualTo(9999);
  }

  @Test
  void commandLineFlagBeatsConfigFile(@TempDir Path dir) throws Exception {
    Path cfg = dir.resolve("node.properties");
    Files.writeString(cfg, "fork-digest = fromfile\n");
    CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    String[] args = {"node", "--config=" + cfg, "--fork-digest", "fromflag"};
    NodeCommand.installConfigDefaults(cl, args);
    NodeCommand node = cl.parseArgs(args).subcommand().commandSpec().commandLine().getCommand();
    assertThat(node.forkDigest).isEqualTo("fromflag");
  }

  @Test
  void missingConfigFileIsExitCode2(@TempDir Path dir) {
    Run r = run("node", "--config", dir.resolve("nope.properties").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void badMultiaddrsEnrsAndKeysAreOneLineExit2(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("k");
    for (String[] args : new String[][] {
        {"node", "--listen", "/ip4/999.1.1.1/tcp/1", "--key-file", key.toString()},
        {"node", "--listen", "/dns4/x/udp/1", "--key-file", key.toString()},
        {"node", "--bootnodes", "enr:-notanenr", "--key-file", key.toString()},
        {"node", "--bootnodes", "/ip4/1.2.3.4/tcp/notaport", "--key-file", key.toString()},
        {"peer", "--key-hex", "zz"}}) {
      Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args) + " -> " + r.err()).isEqualTo(2);
      assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
      assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(60)
  void aPortInUseIsOneLineExit2() throws Exception {
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Run r = run("peer", "--quic-port", "off", "--tcp-port", Integer.toString(busy.getLocalPort()));
      assertThat(r.code()).as(r.err()).isEqualTo(2);
      assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
      assertThat(r.err()).doesNotContain("\tat ");
    }
  }
}
