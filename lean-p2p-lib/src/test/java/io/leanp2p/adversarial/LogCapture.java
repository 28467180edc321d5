package io.leanp2p.adversarial;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event (from every thread) while attached to the root logger, so that a test
 * can count the lines an attack made the victim write. Keeps the first {@value #KEEP} events for
 * the failure message and counts all of them.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private static final int KEEP = 2_000;
  private final ConcurrentLinkedQueue<ILoggingEvent> kept = new ConcurrentLinkedQueue<>();
  private final AtomicLong count = new AtomicLong();
  private final List<Logger> raised = new ArrayList<>();
  private final List<Level> previous = new ArrayList<>();

  private LogCapture() {}

  /** Starts capturing at the configured levels. */
  static LogCapture attach() {
    LogCapture c = new LogCapture();
    c.setContext(root().getLoggerContext());
    c.start();
    root().addAppender(c);
    return c;
  }

  /** Also captures DEBUG from {@code loggerNames} until closed. */
  LogCapture withDebug(String... loggerNames) {
    for (String n : loggerNames) {
      Logger l = (Logger) LoggerFactory.getLogger(n);
      raised.add(l);
      previous.add(l.getLevel());
      l.setLevel(Level.DEBUG);
    }
    return this;
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Override
  protected void append(ILoggingEvent e) {
    e.prepareForDeferredProcessing();
    count.incrementAndGet();
    if (kept.size() < KEEP) {
      kept.add(e);
    }
  }

  /** Forgets what was captured so far (the next attack starts from zero). */
  void reset() {
    kept.clear();
    count.set(0);
  }

  long total() {
    return count.get();
  }

  /** Captured events (the first {@value #KEEP}) matching {@code p}. */
  List<ILoggingEvent> events(Predicate<ILoggingEvent> p) {
    List<ILoggingEvent> out = new ArrayList<>();
    for (ILoggingEvent e : kept) {
      if (p.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Events at INFO or above. */
  List<ILoggingEvent> infoOrAbove() {
    return events(e -> e.getLevel().isGreaterOrEqual(Level.INFO));
  }

  static String describe(List<ILoggingEvent> events) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    for (ILoggingEvent e : events) {
      if (i++ == 20) {
        sb.append("\n  ... ").append(events.size() - 20).append(" more");
        break;
      }
      sb.append("\n  ").append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" [")
          .append(e.getThreadName()).append("] ").append(e.getFormattedMessage())
          .append(e.getThrowableProxy() == null ? "" : " <stack trace: " + e.getThrowableProxy().getClassName() + ">");
    }
    return sb.toString();
  }

  @Override
  public void close() {
    root().detachAppender(this);
    stop();
    for (int i = 0; i < raised.size(); i++) {
      raised.get(i).setLevel(previous.get(i));
    }
  }
}
