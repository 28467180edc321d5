package io.leanp2p.codec.gossip;

import java.util.Arrays;
import java.util.List;

/** Equality and hashing helpers for records that hold {@code byte[]} (package-private). */
final class Bytes {
  private Bytes() {}

  static boolean listEquals(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  static int listHash(List<byte[]> a) {
    int h = 1;
    for (byte[] b : a) {
      h = 31 * h + Arrays.hashCode(b);
    }
    return h;
  }

  /** An immutable copy of a list of ids (the arrays themselves are copied too). */
  static List<byte[]> copyIds(List<byte[]> ids) {
    byte[][] out = new byte[ids.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ids.get(i).clone();
    }
    return List.of(out);
  }
}
