package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import picocli.CommandLine;

/** What a newcomer sees: clean --help, @FILE bootnodes, one-line errors that say what to do next. */
@Isolated // swaps System.err while picocli renders help
class HelpAndUsageTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Every subcommand (hidden ones too) and the top level: --help exits 0 and picocli warns about nothing. */
  @Test
  void helpEverywhereHasNoPicocliWarnings() {
    CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    List<String[]> invocations = new ArrayList<>();
    invocations.add(new String[] {"--help"});
    for (String sub : cl.getSubcommands().keySet()) {
      invocations.add(sub.equals("help") ? new String[] {"help"} : new String[] {sub, "--help"});
    }
    assertThat(invocations).hasSizeGreaterThanOrEqualTo(7);
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      for (String[] args : invocations) {
        Run r = run(args);
        assertThat(r.code()).as(String.join(" ", args)).isZero();
        assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: lean-p2p");
        assertThat(r.err()).as(String.join(" ", args)).isEmpty();
      }
    } finally {
      System.setErr(saved);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("picocli").isEmpty();
  }

  @Test
  void bootnodesAtFileIsReadAsABootnodeFileNotAsAnArgumentFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("nodes.yaml");
    Secp256k1PrivateKey a = Secp256k1PrivateKey.generate(new SecureRandom());
    Secp256k1PrivateKey b = Secp256k1PrivateKey.generate(new SecureRandom());
    Files.writeString(file, "- " + BootnodesTest.quickstartEnr(a, 9000) + "\n- " + BootnodesTest.quickstartEnr(b, 9001) + "\n");
    String[] args = Main.protectAtFileValues(new String[] {"node", "--bootnodes", "@" + file, "--fork-digest", "x"});
    CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    NodeCommand node = cl.parseArgs(args).subcommand().commandSpec().commandLine().getCommand();
    assertThat(node.bootnodes).containsExactly("@" + file);
    assertThat(Bootnodes.expand(node.bootnodes)).hasSize(2);
    // through the whole command line: the ENRs are not "Unmatched argument"s; the run gets as far as the key
    Run r = run("node", "--bootnodes", "@" + file, "--node-key", dir.resolve("missing.key").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).doesNotContain("Unmatched").contains("--node-key").contains("does not exist");
  }

  @Test
  void otherAtFilesAreStillArgumentFiles(@TempDir Path dir) throws Exception {
    Path argfile = dir.resolve("args");
    Files.writeString(argfile, "--fork-digest abcd\n");
    CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    String[] args = Main.protectAtFileValues(new String[] {"node", "@" + argfile});
    NodeCommand node = cl.parseArgs(args).subcommand().commandSpec().commandLine().getCommand();
    assertThat(node.forkDigest).isEqualTo("abcd");
  }

  @Test
  void errorsAreOneLineAndSayWhatToDoNext(@TempDir Path dir) throws Exception {
    Path badKey = dir.resolve("bad.key");
    Files.writeString(badKey, "zz");
    record Case(String[] args, String hint) {}
    List<Case> cases = List.of(
        new Case(new String[] {"node", "--node-key", dir.resolve("nope.key").toString()}, "--key-file"),
        new Case(new String[] {"node", "--node-key", badKey.toString()}, "--key-file NEW.key"),
        new Case(new String[] {"node", "--listen-port", "9000", "--listen", "/ip4/0.0.0.0/tcp/9000"}, "not both"),
        new Case(new String[] {"node", "--bootnodes", "/nope/peers.txt", "--key-file", dir.resolve("k").toString()},
            "nodes.yaml"),
        new Case(new String[] {"node", "--config", dir.resolve("nope.properties").toString()}, "properties file"),
        new Case(new String[] {"enr", "--node-key", badKey.toString(), "--ip", "127.0.0.1", "--quic-port", "9000"},
            "--key-file NEW.key"),
        new Case(new String[] {"enr", "--node-key", badKey.toString(), "--ip", "localhost", "--quic-port", "9000"},
            "e.g. 127.0.0.1"),
        new Case(new String[] {"devnet", "--no-such-flag"}, "--help"));
    for (Case c : cases) {
      Run r = run(c.args());
      String what = String.join(" ", c.args());
      assertThat(r.code()).as(what + " -> " + r.err()).isEqualTo(2);
      assertThat(r.err().strip().lines()).as(what + " -> " + r.err()).hasSize(1);
      assertThat(r.err()).as(what).contains(c.hint()).doesNotContain("\tat ").doesNotContain("Exception");
    }
  }
}
