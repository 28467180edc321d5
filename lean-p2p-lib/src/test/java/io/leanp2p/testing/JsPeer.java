package io.leanp2p.testing;

import io.leanp2p.peerclient.PeerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Starts the project's js-libp2p interop peer ({@code interop/js/peer.mjs}) listening on 127.0.0.1
 * and returns the {@link PeerClient} that drives it over the JSON-lines protocol of {@code
 * docs/peer-protocol.md} (plus the test extras in {@code interop/js/README.md}). Only the js-specific
 * part lives here: where node and the peer are, its flags, and when to skip; the protocol client is
 * the one the CLI uses too. stderr goes to {@code target/js-peer/}.
 */
public final class JsPeer {
  private JsPeer() {}

  /**
   * Start options. {@code tcpPort}/{@code quicPort}: a port number, {@code "0"} (pick) or {@code
   * "off"}; {@code statusMode}: {@code echo} (default), {@code silent} or {@code extra-chunk}.
   */
  public record Options(
      String tcpPort,
      String quicPort,
      List<String> topics,
      String keyHex,
      String statusMode,
      List<String> extraArgs,
      Duration startTimeout) {
    public Options {
      Objects.requireNonNull(tcpPort);
      Objects.requireNonNull(quicPort);
      topics = List.copyOf(topics);
      extraArgs = List.copyOf(extraArgs);
      Objects.requireNonNull(statusMode);
      Objects.requireNonNull(startTimeout);
    }

    /** Both transports on free ports, no topics, a fresh key, status served by echo. */
    public static Options defaults() {
      return new Options("0", "0", List.of(), null, "echo", List.of(), Duration.ofSeconds(30));
    }

    public Options withTopics(String... t) {
      return new Options(tcpPort, quicPort, List.of(t), keyHex, statusMode, extraArgs, startTimeout);
    }

    public Options withTcpPort(String p) {
      return new Options(p, quicPort, topics, keyHex, statusMode, extraArgs, startTimeout);
    }

    public Options withQuicPort(String p) {
      return new Options(tcpPort, p, topics, keyHex, statusMode, extraArgs, startTimeout);
    }

    public Options withKeyHex(String k) {
      return new Options(tcpPort, quicPort, topics, k, statusMode, extraArgs, startTimeout);
    }

    public Options withStatusMode(String m) {
      return new Options(tcpPort, quicPort, topics, keyHex, m, extraArgs, startTimeout);
    }

    /** Arguments placed BEFORE the peer's own flags (the peer must ignore/accept them). */
    public Options withExtraArgs(String... a) {
      return new Options(tcpPort, quicPort, topics, keyHex, statusMode, List.of(a), startTimeout);
    }

    public Options withStartTimeout(Duration d) {
      return new Options(tcpPort, quicPort, topics, keyHex, statusMode, extraArgs, d);
    }

    /** The peer's command-line flags. */
    List<String> args() {
      List<String> cmd = new ArrayList<>(extraArgs);
      cmd.addAll(List.of("--tcp-port", tcpPort, "--quic-port", quicPort));
      if (!topics.isEmpty()) {
        cmd.addAll(List.of("--topics", String.join(",", topics)));
      }
      if (keyHex != null) {
        cmd.addAll(List.of("--key-hex", keyHex));
      }
      cmd.addAll(List.of("--status-mode", statusMode));
      return cmd;
    }
  }

  /** The repository root: system property {@code leanp2p.repoRoot}, else the folder with run-tests. */
  public static Path repoRoot() {
    String p = System.getProperty("leanp2p.repoRoot");
    if (p != null && !p.isBlank() && Files.isRegularFile(Paths.get(p, "run-tests"))) {
      return Paths.get(p).toAbsolutePath().normalize();
    }
    Path cwd = Paths.get("").toAbsolutePath();
    for (Path q = cwd; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("run-tests"))) {
        return q;
      }
    }
    return cwd;
  }

  /** {@code <repo>/interop/js}. */
  public static Path peerDir() {
    return repoRoot().resolve("interop").resolve("js");
  }

  /** The node binary: system property {@code leanp2p.node}, env {@code LEANP2P_NODE}, else "node". */
  public static String nodeBinary() {
    String p = System.getProperty("leanp2p.node");
    if (p == null || p.isBlank()) {
      p = System.getenv("LEANP2P_NODE");
    }
    return p == null || p.isBlank() ? "node" : p;
  }

  /** The command line of the js peer with {@code args}. */
  public static List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(nodeBinary(), peerDir().resolve("peer.mjs").toString()));
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Aborts the calling test (reported skipped) only when node or {@code interop/js/node_modules} is
   * missing. CI installs both ({@code ./run-tests} runs {@code npm ci}), so tests run there.
   */
  public static void assumeAvailable() {
    Path modules = peerDir().resolve("node_modules");
    Assumptions.assumeTrue(
        Files.isDirectory(modules),
        "js interop peer not installed (" + modules + " missing; run `npm ci` in interop/js): skipped");
    boolean nodeOk;
    try {
      Process p =
          new ProcessBuilder(nodeBinary(), "--version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      nodeOk = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      nodeOk = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      nodeOk = false;
    }
    Assumptions.assumeTrue(nodeOk, "node (" + nodeBinary() + ") not runnable: skipped");
  }

  /** Starts a peer with {@link Options#defaults()}. */
  public static PeerClient start() {
    return start(Options.defaults());
  }

  /** Starts a peer and waits for its {@code listening} event. */
  public static PeerClient start(Options o) {
    return PeerClient.start("js", command(o.args()), peerDir(),
        Paths.get("target", "js-peer"), o.startTimeout());
  }
}
