package io.leanp2p.transport;

import io.leanp2p.types.CloseReason;

/** A dial or handshake failed; carries the {@link CloseReason} reported to the host. */
public class ConnectionException extends Exception {
  private final CloseReason reason;

  public ConnectionException(CloseReason reason) {
    super(reason.toString());
    this.reason = reason;
  }

  public ConnectionException(CloseReason reason, Throwable cause) {
    super(reason.toString(), cause);
    this.reason = reason;
  }

  public CloseReason reason() {
    return reason;
  }
}
