package io.leanp2p.protocol.gossipsub;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.codec.gossip.Rpc;

/**
 * What the router asks its owner (the node) to do. Called on the router's thread; must not call
 * back into the router synchronously (queue the work instead).
 */
public interface GossipOutput {
  /** Frame and write {@code rpc} on the outbound gossip stream of {@code to}. */
  void send(PeerId to, Rpc rpc);

  /** A first-seen message for the host to validate (answer with reportValidation). */
  void deliver(GossipMessage message);

  /** Event: {@code peer} joined our mesh for {@code topic}. */
  default void graft(PeerId peer, String topic) {}

  /** Event: {@code peer} left our mesh for {@code topic}. */
  default void prune(PeerId peer, String topic) {}

  /** Event: a connected peer subscribed to ({@code true}) or unsubscribed from a topic. */
  default void peerSubscription(PeerId peer, String topic, boolean subscribed) {}
}
