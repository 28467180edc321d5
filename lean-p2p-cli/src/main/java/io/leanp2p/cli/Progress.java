package io.leanp2p.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress line for long runs (bench rows, devnet startup). On a terminal it is rewritten in
 * place ({@code \r}, erase to end of line); elsewhere (a pipe, a CI log) a line is printed at most
 * once per {@code minInterval}, so logs stay short. {@link #finish} always prints its line.
 */
public final class Progress {
  private final PrintWriter out;
  private final boolean tty;
  private final LongSupplier nanoClock;
  private final long minIntervalNanos;
  private long lastPrinted = Long.MIN_VALUE;
  private String last = "";

  /**
   * @param tty whether {@code out} is an interactive terminal
   * @param nanoClock a monotonic clock (System::nanoTime; injected by tests)
   * @param minIntervalNanos the least time between two printed lines when not on a terminal
   */
  public Progress(PrintWriter out, boolean tty, LongSupplier nanoClock, long minIntervalNanos) {
    this.out = out;
    this.tty = tty;
    this.nanoClock = nanoClock;
    this.minIntervalNanos = minIntervalNanos;
  }

  /** Shows {@code line} (unchanged lines are not repeated; off a terminal, rate-limited). */
  public void update(String line) {
    if (line.equals(last)) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (tty) {
      out.print("\r" + line + "\033[K");
    } else if (lastPrinted != Long.MIN_VALUE && now - lastPrinted < minIntervalNanos) {
      return;
    } else {
      out.println(line);
    }
    out.flush();
    last = line;
    lastPrinted = now;
  }

  /** Ends the progress with {@code line} on a line of its own. */
  public void finish(String line) {
    out.println(tty ? "\r" + line + "\033[K" : line);
    out.flush();
    last = "";
    lastPrinted = Long.MIN_VALUE;
  }

  /** Whether stdout is an interactive terminal (Console.isTerminal() on JDK 22+, else console presence). */
  public static boolean stdoutIsTerminal() {
    java.io.Console c = System.console();
    String term = System.getenv("TERM");
    if (c == null || term == null || term.equals("dumb")) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: a console exists only when stdin and stdout are terminals
    }
  }

  /**
   * {@code [done/total, 1m05s elapsed, ~2m10s left]}: the time left is the mean time per finished
   * step times the steps left (no estimate before the first step is done).
   */
  public static String counter(int done, int total, long elapsedNanos) {
    StringBuilder sb = new StringBuilder("[").append(done).append('/').append(total).append(", ")
        .append(duration(elapsedNanos)).append(" elapsed");
    if (done > 0 && done < total) {
      sb.append(", ~").append(duration(elapsedNanos / done * (total - done))).append(" left");
    }
    return sb.append(']').toString();
  }

  /** {@code 42s}, {@code 3m07s}, {@code 1h02m}. */
  public static String duration(long nanos) {
    long s = Math.max(0, nanos) / 1_000_000_000L;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
