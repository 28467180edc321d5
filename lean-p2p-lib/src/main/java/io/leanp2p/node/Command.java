package io.leanp2p.node;

import io.leanp2p.codec.gossip.MessageId;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;

/**
 * Immutable commands from host threads to the event loop. Arguments were validated on the caller's
 * thread; byte arrays are private copies. The loop dispatches them with one exhaustive switch.
 */
sealed interface Command {
  /** Control lane: completes work remote peers wait for. */
  sealed interface Control extends Command {}

  /** Bulk lane: new work. */
  sealed interface Bulk extends Command {}

  /**
   * {@code bytes}: the wire payload when {@code raw}, else SSZ still to be compressed. {@code
   * messageId} is null until the publish is {@link #prepared}: on the caller's thread for large
   * payloads, on the loop for small ones.
   */
  record Publish(String topic, byte[] bytes, boolean raw, byte[] messageId) implements Bulk {
    /** This publish compressed (unless raw) and with its lean message id: the one place that does it. */
    Publish prepared(int maxPayload) {
      if (messageId != null) {
        return this;
      }
      byte[] wire = raw ? bytes : SnappyBlock.compress(bytes);
      byte[] id = raw ? MessageId.prepare(topic, wire, maxPayload).id() : MessageId.computeDecompressed(topic, wire, bytes);
      return new Publish(topic, wire, true, id);
    }
  }

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
