package io.leanp2p.lean;

/** Builds {@code SignedBlock} encodings for tests and the devnet. */
public final class SignedBlocks {
  private SignedBlocks() {}

  /** A {@code SignedBlock} with an empty attestation list and the given proof bytes. */
  public static byte[] build(long slot, long proposer, byte[] parentRoot, byte[] stateRoot,
      byte[] proofBytes) {
    Block block = new Block(slot, proposer, parentRoot.clone(), stateRoot.clone(), BlockBody.empty());
    return new SignedBlock(block, proofBytes.clone()).encode();
  }
}
