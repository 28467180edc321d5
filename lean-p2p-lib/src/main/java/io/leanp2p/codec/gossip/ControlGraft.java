package io.leanp2p.codec.gossip;

import java.util.Objects;

/** GRAFT: the sender added us to its mesh for {@code topicId}. */
public record ControlGraft(String topicId) {
  public ControlGraft {
    Objects.requireNonNull(topicId, "topicId");
  }
}
