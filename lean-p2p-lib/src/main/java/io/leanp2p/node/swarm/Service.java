package io.leanp2p.node.swarm;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.MuxedStream;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * One protocol service of a swarm (gossip, req/resp, identify, ping): the rust-libp2p
 * "behaviour". A service accepts the inbound streams of its protocols, hears when peers come and
 * go, gets a timer tick and reports its metrics. It knows neither the event loop nor the other
 * services; to reach a peer it asks the {@link PeerTable} at that moment and never keeps a
 * connection across events.
 *
 * <p>Every method runs on the network's event loop. Order: for a new peer the host is told first,
 * then the services; for a lost peer the services first (so that their terminal events precede
 * the host's {@code PeerDisconnected}), then the host.
 */
public interface Service {
  /** Protocol ids whose inbound streams this service takes (may be empty). */
  List<String> protocols();

  /**
   * An inbound stream negotiated to {@code protocol}. The service owns {@code stream} and {@code
   * leftover} (the bytes that arrived with the negotiation) from here on.
   */
  void onInboundStream(String protocol, MuxedStream stream, ByteBuf leftover);

  /** A peer's first connection is up (the host has been told). */
  default void onPeerConnected(ConnectedPeer peer) {}

  /**
   * The peer's live connection was swapped for the survivor of the duplicate rule (or for a
   * draining one when the live one died). Streams a service keeps for the peer (such as the
   * outbound gossip stream) must be reopened: new ones go to the new connection.
   */
  default void onConnectionReplaced(ConnectedPeer peer) {}

  /** The peer's last connection is gone. */
  default void onPeerDisconnected(PeerId peer, CloseReason reason) {}

  /** The swarm's periodic tick (every second while running). */
  default void onTick(long nowNanos) {}

  /** Adds this service's samples. */
  default void metrics(MetricsSnapshot.Builder b) {}
}
