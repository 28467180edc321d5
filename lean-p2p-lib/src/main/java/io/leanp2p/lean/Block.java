package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.Arrays;

/**
 * {@code Block = { slot: uint64, proposer_index: uint64, parent_root: Bytes32, state_root: Bytes32,
 * body: BlockBody }}; the block root is its {@link #hashTreeRoot()}.
 */
public record Block(long slot, long proposerIndex, byte[] parentRoot, byte[] stateRoot,
    BlockBody body) {
  /** Size of the fixed part (the body is behind an offset). */
  static final int FIXED = 8 + 8 + 32 + 32 + 4;

  public Block {
    Ssz.root32("parentRoot", parentRoot);
    Ssz.root32("stateRoot", stateRoot);
    java.util.Objects.requireNonNull(body, "body");
  }

  public static Block decode(byte[] ssz) throws DecodeException {
    return read(ssz, 0, ssz.length);
  }

  static Block read(byte[] b, int off, int len) throws DecodeException {
    Ssz.minLength("Block", len, FIXED);
    Ssz.firstOffset("Block", b, off, 80, FIXED);
    return new Block(Ssz.u64(b, off), Ssz.u64(b, off + 8), Ssz.slice(b, off + 16, off + 48),
        Ssz.slice(b, off + 48, off + 80), BlockBody.read(b, off + FIXED, len - FIXED));
  }

  int encodedSize() {
    return FIXED + body.encodedSize();
  }

  public byte[] encode() {
    byte[] out = new byte[encodedSize()];
    write(out, 0);
    return out;
  }

  void write(byte[] out, int off) {
    Ssz.putU64(out, off, slot);
    Ssz.putU64(out, off + 8, proposerIndex);
    System.arraycopy(parentRoot, 0, out, off + 16, 32);
    System.arraycopy(stateRoot, 0, out, off + 48, 32);
    Ssz.putU32(out, off + 80, FIXED);
    body.write(out, off + FIXED);
  }

  public byte[] hashTreeRoot() {
    return Merkle.container(Merkle.uint64(slot), Merkle.uint64(proposerIndex), parentRoot,
        stateRoot, body.hashTreeRoot());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Block x && x.slot == slot && x.proposerIndex == proposerIndex
        && Arrays.equals(x.parentRoot, parentRoot) && Arrays.equals(x.stateRoot, stateRoot)
        && x.body.equals(body);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new int[] {Long.hashCode(slot), Long.hashCode(proposerIndex),
        Arrays.hashCode(parentRoot), Arrays.hashCode(stateRoot), body.hashCode()});
  }

  @Override
  public String toString() {
    return "Block[slot=" + Long.toUnsignedString(slot) + ", proposer="
        + Long.toUnsignedString(proposerIndex) + ", parent=" + Hex.encode(parentRoot)
        + ", state=" + Hex.encode(stateRoot) + ", attestations=" + body.attestations().size() + "]";
  }
}
