package io.leanp2p.codec.gossip;

import java.util.Objects;

/**
 * PRUNE: the sender removed us from its mesh for {@code topicId} and asks us not to GRAFT again
 * for {@code backoffSeconds} (0 = unspecified, not encoded). Peer-exchange records (field 2) are
 * decoded and skipped: lean nodes do no PX; {@code pxPeerCount} tells how many were skipped.
 */
public record ControlPrune(String topicId, long backoffSeconds, int pxPeerCount) {
  public ControlPrune {
    Objects.requireNonNull(topicId, "topicId");
  }

  public ControlPrune(String topicId, long backoffSeconds) {
    this(topicId, backoffSeconds, 0);
  }
}
