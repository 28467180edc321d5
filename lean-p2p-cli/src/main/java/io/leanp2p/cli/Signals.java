package io.leanp2p.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGINT / SIGTERM handling: runs a clean stop and exits with code 0 (a shutdown hook alone would
 * exit with 130 / 143). Falls back to a shutdown hook where signals cannot be handled.
 */
public final class Signals {
  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /** On SIGINT or SIGTERM: run {@code stop} once, then exit with {@code exitCode}. */
  public static void onTerminate(Runnable stop, int exitCode) {
    Runnable once = new Runnable() {
      private boolean done;

      @Override
      public synchronized void run() {
        if (!done) {
          done = true;
          stop.run();
        }
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(once, "shutdown"));
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
          Thread t = new Thread(() -> {
            once.run();
            System.exit(exitCode);
          }, "signal-" + name);
          t.start();
        });
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        LOG.debug("cannot handle SIG{}: {}", name, e.toString());
      }
    }
  }
}
