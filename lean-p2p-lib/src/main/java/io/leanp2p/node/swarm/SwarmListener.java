package io.leanp2p.node.swarm;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.CloseReason;

/** What the swarm tells its owner (the node) about peers, on the event loop. */
public interface SwarmListener {
  /** A peer's first connection is up (called before the services hear of it). */
  void peerConnected(ConnectedPeer peer);

  /** A peer's last connection is gone (called after the services heard of it). */
  void peerDisconnected(ConnectedPeer peer, CloseReason reason);

  /** A dial failed; {@code expected} is the peer of its {@code /p2p/} part (null without one). */
  void dialFailed(Multiaddr address, PeerId expected, CloseReason reason);

  /** A listener that ignores everything. */
  SwarmListener NONE =
      new SwarmListener() {
        @Override
        public void peerConnected(ConnectedPeer peer) {}

        @Override
        public void peerDisconnected(ConnectedPeer peer, CloseReason reason) {}

        @Override
        public void dialFailed(Multiaddr address, PeerId expected, CloseReason reason) {}
      };
}
