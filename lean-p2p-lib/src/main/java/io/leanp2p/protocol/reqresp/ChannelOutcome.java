package io.leanp2p.protocol.reqresp;

/** The answer to the host's response calls on an inbound request's channel. Never a silent drop. */
public enum ChannelOutcome {
  /** Taken: written, or queued behind earlier chunks until the stream is writable. */
  OK,
  /** No channel with this id was ever opened. */
  UNKNOWN_CHANNEL,
  /**
   * The channel is finished: the host ended it, or it expired (idle timeout), was reset by the
   * remote, its peer disconnected, or it was rejected by a limit.
   */
  CHANNEL_FINISHED,
  /** The channel's byte budget is full (the remote reads too slowly); retry after onChannelDrained. */
  QUEUE_FULL,
  /** More chunks than the request allows (roots asked, count, or 1 for status). */
  TOO_MANY_CHUNKS,
  /** Bad argument: null or oversized payload, or {@code SUCCESS} given as an error code. */
  INVALID,
  /** {@link ReqResp#close()} was called. */
  CLOSED
}
