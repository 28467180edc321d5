package io.leanp2p.cabi;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The logback appender of the native library (configured in {@code logback.xml}): formats each
 * line on the logging thread, queues it (bounded: {@value #CAPACITY} lines, overflow counted) and
 * hands it to the host's {@code on_log} on one thread of its own ({@code lean-p2p-native-log}), so
 * host code never runs on a network's event loop. Lines are cut to {@value #MAX_LINE} bytes.
 */
public final class NativeLogAppender extends AppenderBase<ILoggingEvent> {
  static final int CAPACITY = 4096;
  static final int MAX_LINE = 8192;

  private record Line(int level, byte[] utf8) {}

  private static final BlockingQueue<Line> QUEUE = new ArrayBlockingQueue<>(CAPACITY);
  private static final AtomicLong DROPPED = new AtomicLong();
  private static Thread thread;

  /** Starts the delivery thread (once). */
  static synchronized void startDelivery() {
    if (thread != null) {
      return;
    }
    thread = new Thread(NativeLogAppender::deliver, "lean-p2p-native-log");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  protected void append(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(128);
    String logger = e.getLoggerName();
    sb.append('[').append(e.getThreadName()).append("] ")
        .append(logger.substring(logger.lastIndexOf('.') + 1)).append(": ")
        .append(e.getFormattedMessage());
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      sb.append('\n').append(ThrowableProxyUtil.asString(t));
    }
    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
    if (b.length > MAX_LINE) {
      byte[] cut = new byte[MAX_LINE];
      System.arraycopy(b, 0, cut, 0, MAX_LINE);
      b = cut;
    }
    if (!QUEUE.offer(new Line(level(e.getLevel()), b))) {
      DROPPED.incrementAndGet();
    }
  }

  private static int level(Level l) {
    if (l.isGreaterOrEqual(Level.ERROR)) {
      return Codes.LOG_ERROR;
    }
    if (l.isGreaterOrEqual(Level.WARN)) {
      return Codes.LOG_WARN;
    }
    return l.isGreaterOrEqual(Level.INFO) ? Codes.LOG_INFO : Codes.LOG_DEBUG;
  }

  private static void deliver() {
    while (true) {
      Line line;
      try {
        line = QUEUE.take();
      } catch (InterruptedException e) {
        return;
      }
      long dropped = DROPPED.getAndSet(0);
      if (dropped > 0) {
        NativeCallbacks.log(
            Codes.LOG_WARN,
            ("lean-p2p-native: " + dropped + " log lines dropped (the host's on_log is slower than the library logs)")
                .getBytes(StandardCharsets.UTF_8));
      }
      try {
        NativeCallbacks.log(line.level(), line.utf8());
      } catch (Throwable t) {
        // nothing to log to: the line is lost, the thread goes on
      }
    }
  }
}
