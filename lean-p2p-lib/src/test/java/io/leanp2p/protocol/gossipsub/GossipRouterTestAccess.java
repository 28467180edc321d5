package io.leanp2p.protocol.gossipsub;

import io.leanp2p.codec.gossip.Message;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.util.DecodeException;
import java.nio.charset.StandardCharsets;

/** Test-only access to router internals (state seeding for the leanSpec handler fixtures). */
public final class GossipRouterTestAccess {
  private GossipRouterTestAccess() {}

  public static void seedSeen(GossipRouter r, byte[] id) {
    r.seedSeen(id);
  }

  public static void seedCache(GossipRouter r, byte[] id, String topic, byte[] data) {
    r.seedCache(id, Message.anonymous(topic, data));
  }

  public static void seedMesh(GossipRouter r, String topic, PeerId peer) {
    r.seedMesh(topic, peer);
  }

  public static void seedBackoff(GossipRouter r, PeerId peer, String topic, long untilNanos) {
    r.seedBackoff(peer, topic, untilNanos);
  }

  public static void seedDontWant(GossipRouter r, PeerId peer, byte[] id) {
    r.seedDontWant(peer, id);
  }

  public static boolean hasBackoff(GossipRouter r, PeerId peer, String topic) {
    return r.hasBackoff(peer, topic);
  }

  public static int pendingValidations(GossipRouter r) {
    return r.pendingValidations();
  }

  /** A PeerId named after a short string (identity multihash of the UTF-8 bytes). */
  public static PeerId peer(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] mh = new byte[n.length + 2];
    mh[0] = 0;
    mh[1] = (byte) n.length;
    System.arraycopy(n, 0, mh, 2, n.length);
    try {
      return PeerId.fromBytes(mh);
    } catch (DecodeException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
