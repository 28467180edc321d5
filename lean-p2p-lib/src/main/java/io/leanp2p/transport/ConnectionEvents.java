package io.leanp2p.transport;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;

/**
 * Connection lifecycle events of one {@link ConnectionManager}, called on the network's event
 * loop. Implementations must not block (the node copies them into its bounded event queues).
 */
public interface ConnectionEvents {
  /** A connection was accepted as the live connection to its peer. */
  void connected(Connection c);

  /** A connection that was reported {@link #connected} closed. */
  void disconnected(Connection c, CloseReason r);

  /** A dial failed ({@code expectedOrNull} from {@code /p2p/}). */
  void dialFailed(Multiaddr addr, PeerId expectedOrNull, CloseReason r);

  /** Events that nobody listens to. */
  ConnectionEvents NONE =
      new ConnectionEvents() {
        @Override
        public void connected(Connection c) {}

        @Override
        public void disconnected(Connection c, CloseReason r) {}

        @Override
        public void dialFailed(Multiaddr addr, PeerId expectedOrNull, CloseReason r) {}
      };
}
