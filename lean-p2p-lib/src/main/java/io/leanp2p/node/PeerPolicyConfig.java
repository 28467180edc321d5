package io.leanp2p.node;

import java.time.Duration;

/**
 * The peer-manager policy: who gets one of the {@code maxPeers} slots and who loses it. Defaults
 * and the reasons for them are in {@code docs/security.md} ("Peers").
 *
 * @param inboundShare the share of {@code maxPeers} inbound peers may take (rounded up, at least
 *     1); the rest is kept for our own dials, which also find room by evicting an inbound peer
 *     when the table is full. Static peers (bootnodes, persistent dials) always find room
 * @param silentGrace a peer (not static) that has sent no gossipsub RPC and no req/resp request
 *     or response this long after connecting is disconnected; {@link Duration#ZERO} disables it.
 *     An honest lean peer sends its gossipsub subscriptions at once
 * @param evictForNewcomers whether a newcomer that finds no room takes the place of the peer
 *     connected longest without sending anything, or else of the lowest-scored peer when that
 *     score is below a newcomer's (0); without it, a newcomer is refused when there is no room
 * @param graylistBackoff a peer whose gossipsub score fell below the graylist threshold is
 *     disconnected and refused (both directions) for this long; {@link Duration#ZERO} disables
 *     the disconnect (the router still ignores its RPCs). Static peers are exempt
 * @param maxBanned peers remembered as graylisted at once (the oldest ban is forgotten first)
 */
public record PeerPolicyConfig(
    double inboundShare, Duration silentGrace, boolean evictForNewcomers, Duration graylistBackoff, int maxBanned) {

  public PeerPolicyConfig {
    if (!(inboundShare > 0 && inboundShare <= 1)) {
      throw new IllegalArgumentException("inboundShare must be in (0, 1]");
    }
    if (silentGrace == null || silentGrace.isNegative() || graylistBackoff == null || graylistBackoff.isNegative()) {
      throw new IllegalArgumentException("durations must be >= 0");
    }
    if (maxBanned < 1) {
      throw new IllegalArgumentException("maxBanned must be >= 1");
    }
  }

  /** 3/4 of the slots for inbound peers, 30 s to speak, newcomers evict, 10 min graylist backoff, 10,000 bans. */
  public static PeerPolicyConfig defaults() {
    return new PeerPolicyConfig(0.75, Duration.ofSeconds(30), true, Duration.ofMinutes(10), 10_000);
  }

  /** The inbound budget for {@code maxPeers}. */
  public int maxInbound(int maxPeers) {
    return Math.max(1, (int) Math.ceil(maxPeers * inboundShare));
  }

  public PeerPolicyConfig withInboundShare(double share) {
    return new PeerPolicyConfig(share, silentGrace, evictForNewcomers, graylistBackoff, maxBanned);
  }

  public PeerPolicyConfig withSilentGrace(Duration d) {
    return new PeerPolicyConfig(inboundShare, d, evictForNewcomers, graylistBackoff, maxBanned);
  }

  public PeerPolicyConfig withEvictForNewcomers(boolean evict) {
    return new PeerPolicyConfig(inboundShare, silentGrace, evict, graylistBackoff, maxBanned);
  }

  public PeerPolicyConfig withGraylistBackoff(Duration d) {
    return new PeerPolicyConfig(inboundShare, silentGrace, evictForNewcomers, d, maxBanned);
  }
}
