package io.leanp2p.cli.bench;

import io.leanp2p.cli.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command lines of the two peers the bench (and the CLI's interop test) drive with {@link
 * io.leanp2p.peerclient.PeerClient}: ours, {@code lean-p2p peer} in a child JVM, and the js-libp2p
 * test peer.
 */
public final class PeerCommands {
  private PeerCommands() {}

  /** Our peer in a child JVM with this JVM's class path ({@code LEANP2P_PEER_JVM_OPTS} adds options). */
  public static List<String> ours(List<String> peerArgs) {
    List<String> options = new ArrayList<>(io.leanp2p.cli.JvmOptions.PEER);
    String extra = System.getenv("LEANP2P_PEER_JVM_OPTS"); // e.g. a JFR recording while profiling the bench
    if (extra != null && !extra.isBlank()) {
      options.addAll(List.of(extra.trim().split("\\s+")));
    }
    return ChildJvm.command(options, "peer", peerArgs);
  }

  /** The js peer: {@code node <repo>/interop/js/peer.mjs ARGS}. */
  public static List<String> js(Path repoRoot, String nodeBinary, List<String> peerArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(nodeBinary);
    cmd.add(repoRoot.resolve("interop/js/peer.mjs").toString());
    cmd.addAll(peerArgs);
    return cmd;
  }
}
