package io.leanp2p.node;

import io.leanp2p.codec.sszsnappy.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.protocol.reqresp.LeanProtocol;

/**
 * Immutable commands from host threads to the event loop. Arguments were validated on the caller's
 * thread; byte arrays are private copies. The loop dispatches them with one exhaustive switch.
 */
sealed interface Command {
  /** Control lane: completes work remote peers wait for. */
  sealed interface Control extends Command {}

  /** Bulk lane: new work. */
  sealed interface Bulk extends Command {}

  /** {@code raw}: {@code data} is the wire payload as is (no snappy compression). */
  /**
   * {@code bytes}: the wire payload when {@code raw}, else SSZ the loop compresses. {@code messageId}
   * is null when the loop computes it (small payloads; large ones are prepared on the caller's thread).
   */
  record Publish(String topic, byte[] bytes, boolean raw, byte[] messageId) implements Bulk {}

  record SendRequest(long requestId, PeerId peer, LeanProtocol protocol, byte[] ssz, NetworkListener handler)
      implements Bulk {}

  record Subscribe(String topic) implements Bulk {}

  record Unsubscribe(String topic) implements Bulk {}

  record Dial(Multiaddr address, PeerId expected, boolean persistent) implements Bulk {}

  record Disconnect(PeerId peer) implements Bulk {}

  record Ping(PeerId peer) implements Bulk {}

  record ResponseChunk(long channelId, byte[] ssz) implements Control {}

  record EndResponse(long channelId) implements Control {}

  record ErrorResponse(long channelId, ResponseCode code, String message) implements Control {}

  record ReportValidation(byte[] messageId, Validation result) implements Control {}
}
