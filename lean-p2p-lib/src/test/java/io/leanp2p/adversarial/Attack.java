package io.leanp2p.adversarial;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Sizes of the attacks and the attackers' source addresses. The suite runs small counts by
 * default (CI); {@code -Dleanp2p.adversarial.full=true} runs the sizes of issue #14 (300 sybils,
 * 500 resets, ...). Attackers connect from their own loopback addresses (127.0.1.1, 127.0.1.2, …:
 * Linux routes all of 127/8 to the loopback interface) so that per-IP limits see them as distinct
 * hosts while the honest peer dials from 127.0.0.1.
 */
final class Attack {
  private Attack() {}

  static final boolean FULL = Boolean.getBoolean("leanp2p.adversarial.full");

  /** {@code full} with {@code -Dleanp2p.adversarial.full=true}, else {@code ci}. */
  static int size(int ci, int full) {
    return FULL ? full : ci;
  }

  /** The i-th attacker address (i >= 0): 127.0.1.1 … 127.0.1.250, 127.0.2.1 … */
  static InetAddress ip(int i) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + i / 250), (byte) (1 + i % 250)});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }
}
