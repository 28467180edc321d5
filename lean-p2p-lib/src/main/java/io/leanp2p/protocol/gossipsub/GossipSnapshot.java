package io.leanp2p.protocol.gossipsub;

import io.leanp2p.crypto.PeerId;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable picture of the router, published by the router's thread (every heartbeat and on
 * {@link GossipRouter#refreshSnapshot()}) and safe to read from any thread.
 *
 * @param takenAtNanos scheduler time of the snapshot
 * @param subscriptions our topics
 * @param mesh mesh peers per subscribed topic
 * @param fanout fanout peers per topic we publish to without subscribing
 * @param peerTopics each connected peer's subscriptions
 * @param scores each known peer's score
 * @param counters all counters
 */
public record GossipSnapshot(
    long takenAtNanos,
    Set<String> subscriptions,
    Map<String, List<PeerId>> mesh,
    Map<String, List<PeerId>> fanout,
    Map<PeerId, Set<String>> peerTopics,
    Map<PeerId, Double> scores,
    GossipCounters.Snapshot counters) {

  static final GossipSnapshot EMPTY =
      new GossipSnapshot(0, Set.of(), Map.of(), Map.of(), Map.of(), Map.of(), new GossipCounters().snapshot(0));

  /** Mesh peers of {@code topic} (empty when not subscribed). */
  public List<PeerId> mesh(String topic) {
    return mesh.getOrDefault(topic, List.of());
  }

  /** A peer's score, 0 when unknown. */
  public double score(PeerId peer) {
    return scores.getOrDefault(peer, 0.0);
  }
}
