package io.leanp2p.types;

import io.leanp2p.lean.ResponseCode;

/**
 * Why an outbound request ended without a clean end of stream. Library-side kinds are kept apart
 * from the remote's wire codes: only {@code Kind.WIRE_ERROR} carries a {@link ResponseCode}.
 *
 * @param kind the class of failure
 * @param code for {@code Kind.WIRE_ERROR}: the code as the spec maps it (4–127 → SERVER_ERROR,
 *     128–255 → INVALID_REQUEST); null otherwise
 * @param rawCode for {@code Kind.WIRE_ERROR}: the code byte as received (0–255); -1 otherwise
 * @param message for {@code Kind.WIRE_ERROR}: the remote's message (UTF-8 decoded leniently);
 *     otherwise a human-readable detail
 */
public record RequestError(Kind kind, ResponseCode code, int rawCode, String message) {
  /** Classes of request failure. */
  public enum Kind {
    /** The remote answered with an error chunk (codes 1–255). */
    WIRE_ERROR,
    /** The whole exchange (open, negotiate, write, read) took longer than the request timeout. */
    TIMEOUT,
    /** The remote broke the protocol: undecodable chunk, too many chunks, truncated last chunk. */
    PROTOCOL_VIOLATION,
    /** The stream was reset before the end of the response. */
    STREAM_RESET,
    /** {@code ReqResp.peerDisconnected} was called for the peer. */
    DISCONNECTED,
    /** multistream-select did not agree on the protocol. */
    NEGOTIATION_FAILED,
    /** {@code ReqResp.close()} was called. */
    CLOSED,
    /** No stream could be opened to the peer (no connection). */
    NOT_CONNECTED,
    /**
     * The node shed the response: the host's response queue was full (it does not drain its
     * events), so the request was ended and its stream reset.
     */
    SHED
  }

  /** An error response the remote sent: its raw result byte, the code if known, its message. */
  public static RequestError wire(int rawCode, ResponseCode code, String message) {
    return new RequestError(Kind.WIRE_ERROR, code, rawCode, message);
  }

  /** A local failure of {@code kind} (not {@code Kind.WIRE_ERROR}) with a detail for logs. */
  public static RequestError of(Kind kind, String detail) {
    if (kind == Kind.WIRE_ERROR) {
      throw new IllegalArgumentException("use wire()");
    }
    return new RequestError(kind, null, -1, detail);
  }

  @Override
  public String toString() {
    return kind == Kind.WIRE_ERROR
        ? "WIRE_ERROR(" + code + "/" + rawCode + ": " + message + ")"
        : kind + "(" + message + ")";
  }
}
