package io.leanp2p.transport.multistream;

/** Why a multistream-select negotiation failed; stable names, used as counter labels. */
public enum NegotiationFailure {
  /** No answer within the negotiation timeout. */
  TIMEOUT,
  /** A message longer than 1024 bytes was announced. */
  TOO_LARGE,
  /** A message that is not well formed (empty, no newline, bad varint). */
  MALFORMED,
  /** The first message was not {@code /multistream/1.0.0}. */
  BAD_HEADER,
  /** The remote answered {@code na} to every protocol we proposed. */
  NOT_SUPPORTED,
  /** The remote proposed too many protocols we do not speak. */
  TOO_MANY_ATTEMPTS,
  /** The remote answered something we did not ask for. */
  UNEXPECTED,
  /** The stream or connection went away during negotiation. */
  CLOSED;

  /** A reason string {@code "<NAME>: detail"}. */
  public String reason(String detail) {
    return detail == null || detail.isEmpty() ? name() : name() + ": " + detail;
  }
}
