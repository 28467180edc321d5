package io.leanp2p.codec.gossip;

import java.util.Objects;

/**
 * A subscription change ({@code SubOpts}): {@code subscribe=true} joins {@code topicId}, false
 * leaves it. Encoded with both fields always present (leanSpec rule).
 */
public record SubOpts(boolean subscribe, String topicId) {
  public SubOpts {
    Objects.requireNonNull(topicId, "topicId");
  }
}
