package io.leanp2p.types;

/**
 * Why a connection ended or a dial failed, as reported in connection events.
 *
 * @param kind the class of the reason (stable, used as a metric label)
 * @param detail human-readable detail
 */
public record CloseReason(Kind kind, String detail) {
  /** Classes of close / failure reasons. */
  public enum Kind {
    /** We closed it (host request, shutdown, connection limit, duplicate connection rule). */
    LOCAL_CLOSE,
    /** The remote closed it cleanly. */
    REMOTE_CLOSE,
    /** A timeout: dial, handshake, negotiation or idle. */
    TIMEOUT,
    /** The remote proved a different PeerId than the one we dialed. */
    PEER_ID_MISMATCH,
    /** The security handshake failed (bad signature, bad certificate, ...). */
    HANDSHAKE_FAILED,
    /** The remote broke the protocol (bad frame, window violation, ...). */
    PROTOCOL_ERROR,
    /** An I/O error (reset, broken pipe, ...). */
    IO_ERROR,
    /** The dial was refused before it started (self dial, bad address, limit). */
    REFUSED,
    /** The remote host refused the connection: nothing listens on that port (TCP RST). */
    CONNECTION_REFUSED,
    /** The address's DNS name did not resolve (no such name, no address of the asked family). */
    UNRESOLVABLE
  }

  public static CloseReason of(Kind kind, String detail) {
    return new CloseReason(kind, detail);
  }

  @Override
  public String toString() {
    return kind + (detail == null || detail.isEmpty() ? "" : ": " + detail);
  }
}
