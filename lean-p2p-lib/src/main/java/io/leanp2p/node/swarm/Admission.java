package io.leanp2p.node.swarm;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.Direction;

/**
 * The one place that decides whether a connection to a new peer is taken: the peer-manager
 * policy plugs in here (budgets, per-IP limits, eviction). Asked on the event loop for every
 * secured connection to a peer that is not in the {@link PeerTable} yet (duplicates of a connected
 * peer are settled by the duplicate rule, not here).
 */
@FunctionalInterface
public interface Admission {
  Decision admit(PeerTable table, PeerId peer, Direction direction, Multiaddr remoteAddress);

  /**
   * The first bytes arrived on an inbound stream the remote negotiated to {@code protocol} (one
   * call per stream): the policy's evidence that a peer takes part instead of holding a slot.
   */
  default void onTraffic(PeerId peer, String protocol) {}

  /**
   * The verdict: accept, refuse (the connection is closed with {@code reason}), or accept after
   * disconnecting {@code evict}.
   */
  record Decision(Kind kind, PeerId evict, String reason) {
    public enum Kind {
      ACCEPT,
      REFUSE,
      EVICT
    }

    public static final Decision ACCEPT = new Decision(Kind.ACCEPT, null, null);

    public static Decision refuse(String reason) {
      return new Decision(Kind.REFUSE, null, reason);
    }

    public static Decision evict(PeerId victim, String reason) {
      return new Decision(Kind.EVICT, victim, reason);
    }
  }

  /** Takes every connection (the swarm's hard connection cap still applies). */
  Admission ACCEPT_ALL = (table, peer, direction, address) -> Decision.ACCEPT;
}
