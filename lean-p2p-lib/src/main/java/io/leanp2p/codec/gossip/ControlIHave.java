package io.leanp2p.codec.gossip;

import java.util.List;
import java.util.Objects;

/** IHAVE: the sender has these message ids of {@code topicId} in its message cache. */
public record ControlIHave(String topicId, List<byte[]> messageIds) {
  public ControlIHave {
    Objects.requireNonNull(topicId, "topicId");
    messageIds = Bytes.copyIds(messageIds);
  }

  @Override
  public List<byte[]> messageIds() {
    return messageIds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ControlIHave h && topicId.equals(h.topicId) && Bytes.listEquals(messageIds, h.messageIds);
  }

  @Override
  public int hashCode() {
    return 31 * topicId.hashCode() + Bytes.listHash(messageIds);
  }

  @Override
  public String toString() {
    return "IHave[" + topicId + ", " + messageIds.size() + " ids]";
  }
}
