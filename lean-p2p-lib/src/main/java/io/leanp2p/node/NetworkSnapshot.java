package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.Direction;
import io.leanp2p.types.TransportKind;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the network looks like, as last published by its event loop (at least every second and
 * after every peer or subscription change). Immutable: safe to read from any thread.
 *
 * @param meshPeers our gossipsub mesh per subscribed topic
 * @param topicPeers which connected peers subscribe to each topic (as they told us)
 */
public record NetworkSnapshot(
    PeerId self,
    List<Multiaddr> listenAddresses,
    List<PeerInfo> peers,
    Set<String> topics,
    Map<String, List<PeerId>> meshPeers,
    Map<String, List<PeerId>> topicPeers,
    long publishedAtNanos) {

  /** One connected peer (its first live connection). */
  public record PeerInfo(PeerId peer, Multiaddr address, Direction direction, TransportKind transport) {}

  public static NetworkSnapshot empty(PeerId self) {
    return new NetworkSnapshot(self, List.of(), List.of(), Set.of(), Map.of(), Map.of(), System.nanoTime());
  }

  public boolean isConnected(PeerId peer) {
    for (PeerInfo p : peers) {
      if (p.peer().equals(peer)) {
        return true;
      }
    }
    return false;
  }
}
