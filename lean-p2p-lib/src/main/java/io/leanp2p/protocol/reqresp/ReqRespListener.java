package io.leanp2p.protocol.reqresp;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.types.RequestError;
import io.leanp2p.lean.LeanProtocol;

/**
 * Events of {@link ReqResp}, called on the network's event loop (the node turns them into host
 * events; implementations must be quick and must not block). An exception thrown by a callback is
 * logged and otherwise ignored.
 *
 * <p>For every ACCEPTED request: zero or more {@link #onResponseChunk}, then exactly one of {@link
 * #onEndOfStream} or {@link #onRequestFailed}, and nothing after it.
 */
public interface ReqRespListener {
  /** One SUCCESS chunk of request {@code requestId}, handed up as soon as it is complete. */
  void onResponseChunk(long requestId, byte[] ssz);

  /** Terminal: the remote ended the response cleanly (FIN at a chunk boundary). */
  void onEndOfStream(long requestId);

  /** Terminal: the request ended with an error (a wire error code or a library failure). */
  void onRequestFailed(long requestId, RequestError error);

  /**
   * A remote peer's request, decoded and within limits. Answer it with {@link ReqResp#sendChunk},
   * then {@link ReqResp#endResponse} or {@link ReqResp#sendError}, before the responder idle
   * timeout.
   */
  void onInboundRequest(long channelId, PeerId peer, LeanProtocol protocol, byte[] ssz);

  /**
   * The channel ended without the host finishing it: it expired (the remote got SERVER_ERROR),
   * the remote reset the stream, the peer disconnected or the req/resp service closed. Later calls
   * on it answer {@link ChannelOutcome#CHANNEL_FINISHED}. Optional.
   */
  default void onChannelClosed(long channelId, String reason) {}

  /**
   * A channel whose {@link ReqResp#sendChunk} answered {@link ChannelOutcome#QUEUE_FULL} has
   * written its whole queue: the host may send more. Called once per refusal episode. Optional.
   */
  default void onChannelDrained(long channelId) {}
}
