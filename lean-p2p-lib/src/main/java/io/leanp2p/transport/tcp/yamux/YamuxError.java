package io.leanp2p.transport.tcp.yamux;

/** Why Yamux closed a connection or reset a stream; stable names, used as counter labels. */
public enum YamuxError {
  /** Header version other than 0. */
  BAD_VERSION,
  /** Unknown frame type. */
  BAD_TYPE,
  /** Flags or stream id not valid for the frame type (e.g. ping on a stream). */
  BAD_FLAGS,
  /** A SYN with our parity, id 0, or an id already used. */
  BAD_STREAM_ID,
  /** Data beyond the receive window we granted. */
  WINDOW_VIOLATION,
  /** A window update that overflows 2^32 - 1. */
  WINDOW_OVERFLOW,
  /** A data frame longer than the frame cap. */
  FRAME_TOO_LARGE,
  /** Inbound stream refused (RST): too many streams or unacknowledged streams. */
  STREAM_LIMIT,
  /** Data after the remote's FIN. */
  DATA_AFTER_FIN,
  /** Outbound bytes queued beyond the per-stream cap. */
  WRITE_BUFFER_FULL,
  /** A local protocol handler threw; its stream was reset (not a remote fault). */
  HANDLER_FAILED,
  /** The remote sent GoAway with an error code. */
  REMOTE_GO_AWAY_ERROR,
  /**
   * A ping answer or the RST of a refused stream was not sent because our write buffer to the
   * remote is full (it does not read): answering would queue without bound.
   */
  CONTROL_DROPPED
}
