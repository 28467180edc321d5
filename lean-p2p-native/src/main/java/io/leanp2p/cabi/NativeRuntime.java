package io.leanp2p.cabi;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide set-up of the JVM that liblean_p2p.so created: called once, right after the
 * natives are registered.
 */
public final class NativeRuntime {
  /** The name liblean_p2p.so gives the host threads it attaches (then the thread id). */
  static final String HOST_THREAD_PREFIX = "lean-p2p-host-";

  private NativeRuntime() {}

  /**
   * Sets the lowest log level that reaches the host and starts the log thread.
   *
   * @param level a {@code lean_p2p_log_level} (0 = INFO)
   * @param hostLogs whether the host set {@code on_log}; without it only WARN and above are
   *     written (to stderr)
   */
  public static void init(int level, boolean hostLogs) {
    int l = level == 0 ? Codes.LOG_INFO : level;
    if (!hostLogs) {
      l = Math.max(l, Codes.LOG_WARN);
    }
    Level lb =
        switch (l) {
          case Codes.LOG_DEBUG -> Level.DEBUG;
          case Codes.LOG_INFO -> Level.INFO;
          case Codes.LOG_WARN -> Level.WARN;
          default -> Level.ERROR;
        };
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(lb);
    NativeLogAppender.startDelivery();
  }

  /**
   * Called on every host thread liblean_p2p.so attaches: such a thread starts without a context
   * class loader, which some dependencies (snappy-java) look resources up with.
   */
  public static void threadAttached() {
    Thread.currentThread().setContextClassLoader(ClassLoader.getSystemClassLoader());
  }
}
