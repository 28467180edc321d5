package io.leanp2p.cli;

import java.util.List;

/**
 * The JVM options chosen for long-running {@code lean-p2p} processes (issue #16; reasons in
 * docs/benchmarks.md, "JVM options"). The {@code lean-p2p} launcher script passes the same lists
 * for {@code node}, {@code devnet} and {@code peer} (a test keeps the two equal); child JVMs
 * (bench peers, devnet workers) get theirs from here.
 *
 * <ul>
 *   <li>G1, named rather than left to ergonomics (which picks Serial below 2 CPUs or 1792 MB),
 *       with a 20 ms pause goal: the young generation is sized so a block's worth of garbage is
 *       collected in pauses far below the devnet's 60 ms p99 budget.
 *   <li>A fixed heap ({@code -Xms} = {@code -Xmx}) touched at start ({@code AlwaysPreTouch}):
 *       a 512 KiB message otherwise pays page faults and zeroing of fresh heap pages while the
 *       heap grows (+40-60 % msgs/s measured on a pre-touched heap); the cost is resident memory
 *       from the start, so the sizes are modest.
 * </ul>
 */
public final class JvmOptions {
  private JvmOptions() {}

  /** {@code lean-p2p node}: one network in a real devnet (mesh of ~8-12 peers, 10 MiB max messages). */
  public static final List<String> NODE =
      List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch");

  /** {@code lean-p2p devnet}: every node (default 8 + the late one) in this JVM. */
  public static final List<String> DEVNET =
      List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch");

  /** {@code lean-p2p peer}: one network driven over the peer protocol (bench, interop tests). */
  public static final List<String> PEER =
      List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch");

  /**
   * {@code lean-p2p devnet --processes P} workers: up to one JVM per node on a small machine, so a
   * small heap that is not touched up front and the serial collector (no GC threads competing
   * with the other workers for the cores).
   */
  public static final List<String> DEVNET_WORKER = List.of("-XX:+UseSerialGC", "-Xmx384m");
}
