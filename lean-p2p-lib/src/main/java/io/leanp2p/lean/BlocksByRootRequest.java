package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code BlocksByRootRequest = { roots: List[Bytes32, 1024] }}: a container, so the encoding is the
 * offset {@code 04000000} followed by the roots. Decoding rejects a first offset other than 4, a
 * root area that is not a multiple of 32 bytes and more than {@value #MAX_ROOTS} roots. Arrays are
 * not copied: treat them as immutable.
 */
public record BlocksByRootRequest(List<byte[]> roots) {
  /** MAX_REQUEST_BLOCKS. */
  public static final int MAX_ROOTS = 1024;
  /** Largest encoding. */
  public static final int MAX_SIZE = 4 + 32 * MAX_ROOTS;

  public BlocksByRootRequest {
    roots = List.copyOf(roots);
    if (roots.size() > MAX_ROOTS) {
      throw new IllegalArgumentException(roots.size() + " roots exceed " + MAX_ROOTS);
    }
    for (byte[] r : roots) {
      Ssz.root32("root", r);
    }
  }

  public static BlocksByRootRequest decode(byte[] ssz) throws DecodeException {
    Ssz.minLength("BlocksByRootRequest", ssz.length, 4);
    Ssz.firstOffset("BlocksByRootRequest", ssz, 0, 0, 4);
    int area = ssz.length - 4;
    if (area % 32 != 0) {
      throw DecodeException.malformed("BlocksByRootRequest root area of " + area + " bytes");
    }
    int n = area / 32;
    if (n > MAX_ROOTS) {
      throw DecodeException.tooLarge("BlocksByRootRequest roots", n, MAX_ROOTS);
    }
    List<byte[]> roots = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      roots.add(Ssz.slice(ssz, 4 + 32 * i, 4 + 32 * (i + 1)));
    }
    return new BlocksByRootRequest(roots);
  }

  public byte[] encode() {
    byte[] out = new byte[4 + 32 * roots.size()];
    Ssz.putU32(out, 0, 4);
    for (int i = 0; i < roots.size(); i++) {
      System.arraycopy(roots.get(i), 0, out, 4 + 32 * i, 32);
    }
    return out;
  }

  public byte[] hashTreeRoot() {
    return Merkle.container(Merkle.listOfRoots(roots, MAX_ROOTS));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BlocksByRootRequest other) || other.roots.size() != roots.size()) {
      return false;
    }
    for (int i = 0; i < roots.size(); i++) {
      if (!Arrays.equals(roots.get(i), other.roots.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (byte[] r : roots) {
      h = 31 * h + Arrays.hashCode(r);
    }
    return h;
  }

  @Override
  public String toString() {
    return "BlocksByRootRequest[" + roots.size() + " roots]";
  }
}
