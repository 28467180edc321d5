package io.leanp2p.cli;

import io.leanp2p.cli.devnet.DevnetCommand;
import io.leanp2p.cli.devnet.DevnetWorkerCommand;
import io.leanp2p.cli.peer.PeerCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lean-p2p} command: {@code devnet}, {@code node}, {@code enr}, {@code peer}, {@code bench}.
 *
 * <p>Exit codes: 0 success, 1 a run that failed (e.g. the devnet lost blocks), 2 bad usage or bad
 * input (one line on stderr, no stack trace).
 */
@Command(
    name = "lean-p2p",
    mixinStandardHelpOptions = true,
    version = "lean-p2p 0.1.0",
    description = "The lean-consensus libp2p networking bridge: run a local devnet, join a network "
        + "(e.g. a lean-quickstart devnet), print a node's ENR, or drive a scriptable peer.",
    subcommands = {
      DevnetCommand.class,
      DevnetWorkerCommand.class,
      NodeCommand.class,
      EnrCommand.class,
      PeerCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for bad usage or bad input. */
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (for tests and in-process use). */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs the command line with the given streams and returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine(out, err);
    args = protectAtFileValues(args);
    try {
      NodeCommand.installConfigDefaults(cl, args);
    } catch (UsageException e) {
      err.println("lean-p2p: " + e.getMessage());
      err.flush();
      return EXIT_USAGE;
    }
    return cl.execute(args);
  }

  /**
   * {@code --bootnodes @FILE} names a bootnode file (read by the node), not a picocli argument file:
   * such a value is escaped as {@code @@FILE}, which picocli passes on as {@code @FILE} unexpanded.
   * Every other {@code @FILE} argument is still expanded as an argument file.
   */
  static String[] protectAtFileValues(String[] args) {
    String[] out = args.clone();
    for (int i = 0; i + 1 < out.length; i++) {
      if (out[i].equals("--bootnodes") && out[i + 1].startsWith("@") && !out[i + 1].startsWith("@@")) {
        out[i + 1] = "@" + out[i + 1];
      }
    }
    return out;
  }

  /** The configured picocli command line (bad usage → one line, exit 2). */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("lean-p2p: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
          c.getErr().flush();
          return EXIT_USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parseResult) -> {
          Throwable t = ex;
          if (t instanceof UsageException) {
            c.getErr().println("lean-p2p: " + t.getMessage());
            c.getErr().flush();
            return EXIT_USAGE;
          }
          throw ex;
        });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
