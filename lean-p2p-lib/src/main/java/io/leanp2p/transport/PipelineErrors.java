package io.leanp2p.transport;

import io.leanp2p.util.DecodeException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.TimeoutException;
import io.netty.util.AttributeKey;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.security.GeneralSecurityException;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.leanp2p.types.CloseReason;

/**
 * The last handler of every pipeline of one transport (TCP connections and listeners, QUIC UDP
 * sockets, QUIC connections) and the one place where a failure on a channel is counted and
 * logged, so that nothing reaches Netty's tail handler (which logs every exception as a WARN with
 * a stack trace: one per TCP reset, under the control of whoever resets).
 *
 * <ul>
 *   <li>Expected network failures (reset, closed, timeout, handshake, protocol, other I/O) are
 *       counted by {@link Kind} and logged at DEBUG as one line, never with a stack trace.
 *   <li>Anything else is a bug of ours that a remote may be able to trigger again and again: it
 *       is counted as {@link Kind#UNEXPECTED} and logged as one WARN line (class and message, no
 *       stack trace; the stack trace goes to DEBUG), at most {@value #WARN_BURST} lines at once
 *       and then one every {@value #WARN_EVERY_SECONDS} s; suppressed lines are counted and the
 *       next WARN says how many. The stack trace of a WARN that was written goes to DEBUG.
 * </ul>
 *
 * <p>In {@link #exceptionCaught} the channel is closed (the reason recorded first wins). Handlers
 * that catch an exception themselves (a stream handler that threw, for example) report it with
 * {@link #report}; they find this instance with {@link #of(Channel)}.
 *
 * <p>One instance per transport (several networks in one JVM share nothing). Counting and rate
 * limiting run on the network's event loop; counters are read from any thread.
 */
@ChannelHandler.Sharable
public final class PipelineErrors extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineErrors.class);
  private static final AttributeKey<PipelineErrors> KEY = AttributeKey.valueOf(PipelineErrors.class, "errors");
  /** WARN lines allowed at once. */
  static final int WARN_BURST = 10;
  /** One more WARN line is allowed every this many seconds. */
  static final int WARN_EVERY_SECONDS = 6;

  /** Classes of failures (metric labels). */
  public enum Kind {
    /** Connection reset or broken pipe. */
    RESET,
    /** The channel was already closed, or the stream ended early (EOF). */
    CLOSED,
    /** A timeout. */
    TIMEOUT,
    /** A TLS / security handshake failed. */
    HANDSHAKE,
    /** The remote sent something malformed. */
    PROTOCOL,
    /** Any other I/O error (unreachable, refused, ...). */
    IO,
    /** Not a network failure: a bug of ours (logged as a rate-limited WARN line). */
    UNEXPECTED
  }

  private final String name;
  private final LongSupplier nanoClock;
  private final EnumCounters<Kind> counts = new EnumCounters<>(Kind.class);
  private double warnTokens = WARN_BURST;
  private long lastRefill;
  private long suppressed;
  private volatile long suppressedTotal;

  /**
   * @param name what the log lines say this is (for example {@code "tcp"})
   * @param nanoClock the loop's clock (tests inject one)
   */
  public PipelineErrors(String name, LongSupplier nanoClock) {
    this.name = name;
    this.nanoClock = nanoClock;
    this.lastRefill = nanoClock.getAsLong();
  }

  /** Makes this the last handler of {@code ch} and the one {@link #of} finds for it. */
  public void install(Channel ch) {
    ch.attr(KEY).set(this);
    ch.pipeline().addLast("errors", this);
  }

  /** Makes this the one {@link #of} finds for {@code ch} (for channels whose last handler handles errors itself). */
  public void attach(Channel ch) {
    ch.attr(KEY).set(this);
  }

  /**
   * The instance installed on {@code ch} or on one of its parents (a QUIC stream finds its
   * connection's); a channel built without a transport (unit tests) gets one of its own.
   */
  public static PipelineErrors of(Channel ch) {
    for (Channel c = ch; c != null; c = c.parent()) {
      PipelineErrors e = c.attr(KEY).get();
      if (e != null) {
        return e;
      }
    }
    PipelineErrors own = new PipelineErrors("channel", System::nanoTime);
    PipelineErrors prev = ch.attr(KEY).setIfAbsent(own);
    return prev == null ? own : prev;
  }

  /** Failures by kind (any thread). */
  public EnumCounters<Kind> counters() {
    return counts;
  }

  /** WARN lines left out by the rate limit so far (any thread). */
  public long suppressedWarnings() {
    return suppressedTotal;
  }

  /**
   * The last handler of a listening channel (a TCP server socket, a QUIC listener's UDP socket):
   * counts and logs like this one but never closes the listener (a failed accept, such as "too
   * many open files", must not end listening).
   */
  public ChannelHandler listenerHandler() {
    return listener;
  }

  private final ChannelHandler listener = new ListenerErrors();

  @ChannelHandler.Sharable
  private final class ListenerErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      report(ctx.channel(), cause);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Kind k = report(ctx.channel(), cause);
    ChannelCloseReason.close(ctx.channel(), CloseReason.of(closeKind(k), k.name().toLowerCase() + ": " + oneLine(cause)));
  }

  /**
   * Counts {@code cause} and logs it as described in the class comment; {@code where} names the
   * channel, stream or component in the line. Call on the event loop. Returns its kind.
   */
  public Kind report(Object where, Throwable cause) {
    Kind k = classify(cause);
    counts.inc(k);
    if (k != Kind.UNEXPECTED) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} {}: {} ({})", name, where, oneLine(cause), k);
      }
      return k;
    }
    if (takeWarnToken()) {
      long s = suppressed;
      suppressed = 0;
      LOG.warn("{} {}: unexpected {}{}", name, where, oneLine(cause),
          s == 0 ? "" : " (" + s + " similar lines suppressed)");
      LOG.debug("{} {}: stack trace of the unexpected exception", name, where, cause);
    } else {
      suppressed++;
      suppressedTotal++;
    }
    return k;
  }

  private boolean takeWarnToken() {
    long now = nanoClock.getAsLong();
    double add = (now - lastRefill) / (WARN_EVERY_SECONDS * 1e9);
    if (add > 0) {
      warnTokens = Math.min(WARN_BURST, warnTokens + add);
      lastRefill = now;
    }
    if (warnTokens >= 1) {
      warnTokens -= 1;
      return true;
    }
    return false;
  }

  /** The class of a failure, looking through wrappers (Netty's DecoderException, ...). */
  public static Kind classify(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ClosedChannelException || t instanceof EOFException) {
        return Kind.CLOSED;
      }
      if (t instanceof ConnectTimeoutException
          || t instanceof TimeoutException
          || t instanceof java.util.concurrent.TimeoutException
          || t instanceof java.net.SocketTimeoutException) {
        return Kind.TIMEOUT;
      }
      if (t instanceof SSLException || t instanceof GeneralSecurityException) {
        return Kind.HANDSHAKE;
      }
      if (t instanceof DecodeException) {
        return Kind.PROTOCOL;
      }
      if (t instanceof IOException io) {
        String m = String.valueOf(io.getMessage()).toLowerCase();
        if (m.contains("reset") || m.contains("broken pipe") || m.contains("connection abort")) {
          return Kind.RESET;
        }
        return Kind.IO;
      }
      if (t.getClass().getName().startsWith("io.netty.handler.codec.quic.Quic")) {
        return Kind.PROTOCOL; // QuicException, QuicClosedChannelException, ... from quiche
      }
    }
    return Kind.UNEXPECTED;
  }

  private static CloseReason.Kind closeKind(Kind k) {
    return switch (k) {
      case RESET, CLOSED, IO, UNEXPECTED -> CloseReason.Kind.IO_ERROR;
      case TIMEOUT -> CloseReason.Kind.TIMEOUT;
      case HANDSHAKE -> CloseReason.Kind.HANDSHAKE_FAILED;
      case PROTOCOL -> CloseReason.Kind.PROTOCOL_ERROR;
    };
  }

  /** {@code Class: message} of the cause and of its root cause, on one line. */
  static String oneLine(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String s = t.getClass().getSimpleName() + ": " + t.getMessage();
    if (root != t) {
      s += " (cause " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return s.replace('\n', ' ').replace('\r', ' ');
  }
}
