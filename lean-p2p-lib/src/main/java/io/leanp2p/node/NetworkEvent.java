package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.types.RequestError;
import io.leanp2p.types.CloseReason;
import io.leanp2p.types.Direction;
import io.leanp2p.types.TransportKind;
import io.leanp2p.util.Hex;
import java.util.List;

/**
 * Everything a network tells its host, delivered off the event loop by one delivery thread per
 * network (see {@link NetworkListener}). Immutable records; byte arrays are fresh copies owned by
 * the host.
 */
public sealed interface NetworkEvent {

  /**
   * A gossip message that passed the router's checks and awaits the host's verdict: the host must
   * call {@link LeanNetwork#reportValidation} with {@link #messageId()} (no answer within the
   * configured validation timeout counts as IGNORE).
   *
   * <p>Ownership: the host may keep every array of this event as long as it likes, without
   * copying. {@code data} and {@code messageId} are the host's own. {@code wireData} is shared
   * with the network, which forwards and serves the message from the same array: read it, keep
   * it, but never modify it (a changed array would be forwarded changed). No copy is made for
   * the host on this path, so a 512 KiB block costs one payload array on its way in.
   *
   * @param data the decompressed SSZ payload (null if the wire payload was not valid raw snappy)
   * @param wireData the payload as received (raw snappy); shared, never modify (see above)
   * @param from the propagation source (StrictNoSign messages have no author)
   */
  record GossipMessage(String topic, byte[] data, byte[] wireData, byte[] messageId, PeerId from)
      implements NetworkEvent {
    public String messageIdHex() {
      return Hex.encode(messageId);
    }
  }

  /**
   * A request from a remote peer; answer on {@code channelId} with {@link
   * LeanNetwork#sendResponseChunk}, {@link LeanNetwork#endResponse} or {@link
   * LeanNetwork#sendErrorResponse} before the responder idle timeout.
   */
  record InboundRequest(long channelId, PeerId peer, LeanProtocol protocol, byte[] data)
      implements NetworkEvent {}

  /** One SUCCESS chunk of the response to our request {@code requestId}. */
  record ResponseChunk(long requestId, PeerId peer, LeanProtocol protocol, byte[] data)
      implements NetworkEvent {}

  /** Terminal: the remote ended the response cleanly. */
  record EndOfStream(long requestId, PeerId peer, LeanProtocol protocol) implements NetworkEvent {}

  /**
   * Terminal: our request ended without a clean end of stream. Library failures (timeout,
   * disconnect, close, protocol violation ...) are kept apart from the remote's wire error codes.
   */
  record RequestFailed(long requestId, PeerId peer, LeanProtocol protocol, RequestError error)
      implements NetworkEvent {}

  /** A response channel ended without the host finishing it (idle timeout, stream reset). */
  record ResponseChannelClosed(long channelId, PeerId peer, String reason) implements NetworkEvent {}

  /**
   * The first connection to a peer is up. Connected / disconnected events are paired per peer:
   * one connected when the peer goes from 0 to 1 connection, one disconnected when back to 0.
   */
  record PeerConnected(PeerId peer, Multiaddr address, Direction direction, TransportKind transport)
      implements NetworkEvent {}

  /** The last connection to a peer is gone. */
  record PeerDisconnected(PeerId peer, Multiaddr address, Direction direction, CloseReason reason)
      implements NetworkEvent {}

  /**
   * A dial failed; {@code reason} says what happened ({@code UNRESOLVABLE}, {@code
   * CONNECTION_REFUSED}, {@code TIMEOUT}, {@code HANDSHAKE_FAILED}, {@code PEER_ID_MISMATCH}, {@code
   * REFUSED} before any I/O, ...). {@code peer} is null when the address carried no {@code /p2p/};
   * {@code address} is null for a bootnode entry that could not be parsed (the reason quotes it).
   * {@code attempt} counts the dials of a static peer since it was last connected (1 = the first;
   * always 1 for one-shot dials) and {@code willRetry} says whether the reconnect policy scheduled
   * another (false on the last before {@code DialGaveUp}).
   */
  record ConnectionFailed(PeerId peer, Multiaddr address, CloseReason reason, int attempt, boolean willRetry)
      implements NetworkEvent {}

  /**
   * A publish was carried out (only when {@code NetworkConfig.publishEvents}): its message id and
   * the peers it was sent to (empty: no peers yet; the message is cached and served by gossip);
   * {@code duplicate} when the same message was seen or published before (the message-id is
   * content-derived), in which case nothing was sent. Every publish the network carries out yields
   * exactly one, in the order the publishes were accepted (one command lane, one event queue), so a
   * host may match them to its accepted calls in order (a publish still queued at close yields none).
   */
  record PublishCompleted(String topic, byte[] messageId, List<PeerId> recipients, boolean duplicate)
      implements NetworkEvent {
    public String messageIdHex() {
      return Hex.encode(messageId);
    }
  }

  /** A connected peer subscribed to or unsubscribed from a topic (as it told us). */
  record PeerSubscription(PeerId peer, String topic, boolean subscribed) implements NetworkEvent {}

  /** A peer joined ({@code grafted}) or left our gossipsub mesh of a topic. */
  record MeshChange(PeerId peer, String topic, boolean grafted) implements NetworkEvent {}

  /** The answer to {@link LeanNetwork#ping}: the round-trip time, or why it failed. */
  record PingResult(PeerId peer, long rttNanos, String error) implements NetworkEvent {
    public boolean ok() {
      return error == null;
    }
  }

  /** The reconnect policy gave up on a static peer after {@code attempts} dials. */
  record DialGaveUp(PeerId peer, Multiaddr address, int attempts) implements NetworkEvent {}

  /**
   * An accepted command that the network closed before carrying it out, for commands without an
   * outcome event of their own (requests end {@code RequestFailed(CLOSED)}, dials {@code
   * ConnectionFailed}, pings {@code PingResult} instead).
   *
   * @param command the {@link LeanNetwork} method: {@code publish}, {@code subscribe}, {@code
   *     unsubscribe}, {@code disconnect}, {@code sendResponseChunk}, {@code endResponse}, {@code
   *     sendErrorResponse}, {@code reportValidation}
   * @param target what it was about: the topic, the peer, {@code channel <id>}, the message id
   */
  record CommandAbandoned(String command, String target, String reason) implements NetworkEvent {}
}
