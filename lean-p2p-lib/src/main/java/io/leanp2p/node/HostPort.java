package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.EventDispatcher.EventClass;

/**
 * The one narrow port through which the services reach the host: they hand it events and ask
 * whether the host is behind. Each method states what happens when the host's queue of that event
 * class is full. Loop thread only; nothing here calls host code.
 */
interface HostPort {
  /**
   * A peer-class event. Connected / disconnected are never shed; a subscription or mesh change,
   * a ping result, a failure report or a channel closure is shed (counted) when the class is full.
   * Events that change what a snapshot shows are stamped: the host's {@code snapshot()} shows them
   * by the time it gets them.
   */
  void peerEvent(NetworkEvent e);

  /** One chunk of our request's response; false when the response class is full (the caller sheds). */
  boolean responseChunk(NetworkListener handler, NetworkEvent.ResponseChunk chunk);

  /** The terminal event of our request (never shed); frees the request's slot of {@code peer}. */
  void requestEnded(PeerId peer, NetworkListener handler, NetworkEvent terminal);

  /** A publish completion (response class, in order with the other completions; shed when full). */
  void publishCompleted(NetworkEvent.PublishCompleted completion);

  /** A gossip message for validation; false when the gossip class is full (the caller ignores it). */
  boolean gossip(NetworkEvent.GossipMessage message);

  /** A remote's request; false when the class is full (the caller answers RESOURCE_UNAVAILABLE). */
  boolean inboundRequest(NetworkEvent.InboundRequest request);

  /** Whether the host is behind on a class (at or above 3/4 of its capacity): time to pause its sources. */
  boolean backlogged(EventClass c);

  /** The caller paused the sources of a class; its resume hook runs once the host drains below 1/4. */
  void markPaused(EventClass c);

  /** Whether the host's peer-event queue is full (new peers are refused then). */
  default boolean peerQueueFull() {
    return false;
  }
}
