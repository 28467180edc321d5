package io.leanp2p.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.leanp2p.types.CloseReason;

/**
 * The first {@link CloseReason} recorded on a channel wins: every layer (upgrade, Noise, Yamux)
 * records why it closes the channel before closing it, and the connection reports that reason.
 */
public final class ChannelCloseReason {
  private static final AttributeKey<CloseReason> KEY = AttributeKey.valueOf("leanp2p.closeReason");

  private ChannelCloseReason() {}

  /** Records {@code reason} unless a reason is already recorded; returns the recorded one. */
  public static CloseReason record(Channel ch, CloseReason reason) {
    CloseReason prev = ch.attr(KEY).setIfAbsent(reason);
    return prev == null ? reason : prev;
  }

  /** Records and closes. */
  public static void close(Channel ch, CloseReason reason) {
    record(ch, reason);
    ch.close();
  }

  /** The recorded reason, or null. */
  public static CloseReason get(Channel ch) {
    return ch.attr(KEY).get();
  }
}
