package io.leanp2p.codec.gossip;

import java.util.List;

/** IWANT: the sender asks for the full messages of these ids. */
public record ControlIWant(List<byte[]> messageIds) {
  public ControlIWant {
    messageIds = Bytes.copyIds(messageIds);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ControlIWant w && Bytes.listEquals(messageIds, w.messageIds);
  }

  @Override
  public int hashCode() {
    return Bytes.listHash(messageIds);
  }

  @Override
  public String toString() {
    return "IWant[" + messageIds.size() + " ids]";
  }
}
