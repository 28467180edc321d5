package io.leanp2p.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for {@code lean-p2p} subcommands in child JVMs (devnet workers, bench peers): this
 * JVM's java binary and class path, the native-access and Unsafe flags the launcher uses (so no JDK
 * warning lands on the child's stderr), then the caller's JVM options.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /** {@code java <flags> <jvmOptions> -cp <this class path> io.leanp2p.cli.Main <subcommand> <args>}. */
  public static List<String> command(List<String> jvmOptions, String subcommand, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow"); // protobuf's Unsafe use
    }
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add(subcommand);
    cmd.addAll(args);
    return cmd;
  }
}
