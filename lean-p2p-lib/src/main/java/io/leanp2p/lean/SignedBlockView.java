package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;

/**
 * What the networking layer needs from a {@code SignedBlock}: slot, proposer, parent and state
 * roots, and the block root ({@code hash_tree_root(Block)}) for range-response chain checks. The
 * whole encoding is validated on {@link #parse} and the block root computed there, so a view is
 * immutable. Returned arrays are copies.
 */
public final class SignedBlockView {
  private final SignedBlock signedBlock;
  private final byte[] blockRoot;

  private SignedBlockView(SignedBlock signedBlock) {
    this.signedBlock = signedBlock;
    this.blockRoot = signedBlock.block().hashTreeRoot();
  }

  /** Parses and validates a {@code SignedBlock} encoding. */
  public static SignedBlockView parse(byte[] signedBlockSsz) throws DecodeException {
    return new SignedBlockView(SignedBlock.decode(signedBlockSsz));
  }

  public long slot() {
    return signedBlock.block().slot();
  }

  public long proposerIndex() {
    return signedBlock.block().proposerIndex();
  }

  public byte[] parentRoot() {
    return signedBlock.block().parentRoot().clone();
  }

  public byte[] stateRoot() {
    return signedBlock.block().stateRoot().clone();
  }

  /** {@code hash_tree_root(Block)}. */
  public byte[] blockRoot() {
    return blockRoot.clone();
  }

  /** The decoded block and proof. */
  public SignedBlock signedBlock() {
    return signedBlock;
  }

  @Override
  public String toString() {
    return "SignedBlockView[" + signedBlock + "]";
  }
}
