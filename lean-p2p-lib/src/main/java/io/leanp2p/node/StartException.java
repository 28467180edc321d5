package io.leanp2p.node;

/** The network could not start; {@link #reason()} says which part failed. */
public class StartException extends Exception {
  /** What failed at start. */
  public enum Reason {
    /** The identity key could not be loaded or used. */
    KEY,
    /** A listen address or bootnode could not be parsed or is unsupported. */
    ADDRESS,
    /** A listener could not be bound (port in use, no permission ...). */
    BIND,
    /** Start was cancelled by close(). */
    CLOSED,
    /** Anything else (a bug). */
    INTERNAL
  }

  private final Reason reason;

  public StartException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
