package io.leanp2p.protocol.reqresp;

/**
 * The immediate answer to {@link ReqResp#request}. Only {@link #ACCEPTED} is followed by events:
 * then exactly one terminal callback ({@link ReqRespListener#onEndOfStream} or {@link
 * ReqRespListener#onRequestFailed}) follows, never during the {@code request} call itself.
 */
public enum RequestOutcome {
  /** Taken; events follow. */
  ACCEPTED,
  /** The peer already has {@link ReqRespConfig#maxConcurrentPerPeer()} requests in flight. */
  TOO_MANY_CONCURRENT,
  /** The request SSZ is null, too large or does not decode as the protocol's request type. */
  INVALID,
  /** The request id is already in flight (ids must be unique per network). */
  DUPLICATE_ID,
  /** {@link ReqResp#close()} was called. */
  CLOSED
}
