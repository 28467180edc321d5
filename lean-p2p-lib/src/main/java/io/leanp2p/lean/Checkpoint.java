package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.Arrays;

/**
 * {@code Checkpoint = { root: Bytes32, slot: uint64 }}, 40 bytes. {@code slot} is an unsigned
 * 64-bit value held in a {@code long}. Arrays are not copied: treat them as immutable.
 */
public record Checkpoint(byte[] root, long slot) {
  /** Encoded size. */
  public static final int SIZE = 40;

  public Checkpoint {
    Ssz.root32("root", root);
  }

  public static Checkpoint decode(byte[] ssz) throws DecodeException {
    Ssz.exactLength("Checkpoint", ssz.length, SIZE);
    return read(ssz, 0);
  }

  static Checkpoint read(byte[] b, int off) {
    return new Checkpoint(Ssz.slice(b, off, off + 32), Ssz.u64(b, off + 32));
  }

  public byte[] encode() {
    byte[] out = new byte[SIZE];
    write(out, 0);
    return out;
  }

  void write(byte[] out, int off) {
    System.arraycopy(root, 0, out, off, 32);
    Ssz.putU64(out, off + 32, slot);
  }

  public byte[] hashTreeRoot() {
    return Merkle.container(root, Merkle.uint64(slot));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c && c.slot == slot && Arrays.equals(c.root, root);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(root) + Long.hashCode(slot);
  }

  @Override
  public String toString() {
    return "Checkpoint[root=" + Hex.encode(root) + ", slot=" + Long.toUnsignedString(slot) + "]";
  }
}
