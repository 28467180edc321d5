package io.leanp2p.node;

import java.util.Objects;

/**
 * The immediate answer to every host command: whether it was taken, and if not, why. Returned on
 * the caller's thread without blocking; the common results are shared constants, so the accepted
 * path allocates nothing.
 *
 * <p>An ACCEPTED command took effect exactly once or ends with an event that says why not (for
 * requests: exactly one terminal event). Any other outcome means nothing was enqueued.
 */
public final class Outcome {
  /** Why a command was or was not taken. Stable names, used as metric labels. */
  public enum Kind {
    /** Enqueued; the network will carry it out. */
    ACCEPTED,
    /** The lane was full; nothing was enqueued. Retry, or use the bounded-wait form. */
    QUEUE_FULL,
    /** The network is closed or closing. */
    CLOSED,
    /** The network has not finished starting. */
    NOT_STARTED,
    /** Bad arguments (null, too large, unknown topic format, bad peer id ...); see the reason. */
    INVALID,
    /** A request to a peer that is not connected (fail fast instead of a timeout). */
    NOT_CONNECTED,
    /** A request to a peer that already has the maximum number of our requests in flight. */
    TOO_MANY_REQUESTS,
    /**
     * A publish whose payload is over the gossip message limit once compressed (a payload within
     * the limit that snappy cannot shrink grows by a few bytes). Nothing was sent or cached.
     */
    TOO_LARGE
  }

  public static final Outcome ACCEPTED = new Outcome(Kind.ACCEPTED, "accepted");
  public static final Outcome QUEUE_FULL = new Outcome(Kind.QUEUE_FULL, "command queue full");
  public static final Outcome CLOSED = new Outcome(Kind.CLOSED, "network closed");
  public static final Outcome NOT_STARTED = new Outcome(Kind.NOT_STARTED, "network not started");
  public static final Outcome NOT_CONNECTED = new Outcome(Kind.NOT_CONNECTED, "peer not connected");
  public static final Outcome TOO_MANY_REQUESTS =
      new Outcome(Kind.TOO_MANY_REQUESTS, "concurrent request limit for this peer reached");

  /** A refusal for a publish over the gossip limit after compression. */
  public static Outcome tooLarge(String reason) {
    return new Outcome(Kind.TOO_LARGE, Objects.requireNonNull(reason));
  }

  private final Kind kind;
  private final String reason;

  private Outcome(Kind kind, String reason) {
    this.kind = kind;
    this.reason = reason;
  }

  /** A rejection for bad arguments, with a human-readable reason. */
  public static Outcome invalid(String reason) {
    return new Outcome(Kind.INVALID, Objects.requireNonNull(reason));
  }

  public Kind kind() {
    return kind;
  }

  public String reason() {
    return reason;
  }

  public boolean isAccepted() {
    return kind == Kind.ACCEPTED;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Outcome other && other.kind == kind && other.reason.equals(reason);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + reason.hashCode();
  }

  @Override
  public String toString() {
    return kind == Kind.ACCEPTED ? "ACCEPTED" : kind + "(" + reason + ")";
  }
}
