package io.leanp2p.codec.gossip;

import java.util.List;

/** IDONTWANT (gossipsub 1.2): the sender already has these messages; do not send them. */
public record ControlIDontWant(List<byte[]> messageIds) {
  public ControlIDontWant {
    messageIds = Bytes.copyIds(messageIds);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ControlIDontWant w && Bytes.listEquals(messageIds, w.messageIds);
  }

  @Override
  public int hashCode() {
    return Bytes.listHash(messageIds);
  }

  @Override
  public String toString() {
    return "IDontWant[" + messageIds.size() + " ids]";
  }
}
