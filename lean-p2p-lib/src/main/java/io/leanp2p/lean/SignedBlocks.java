package io.leanp2p.lean;

/** Builds {@code SignedBlock} encodings with an empty body, for tests and the devnet. */
public final class SignedBlocks {
  private SignedBlocks() {}

  /** The encoded size of a {@code SignedBlock} with an empty body and {@code proofBytes} of proof. */
  public static int encodedSize(int proofBytes) {
    return 8 + Block.FIXED + 4 + 4 + proofBytes;
  }

  /** A {@code SignedBlock} with an empty attestation list and the given proof bytes. */
  public static byte[] build(long slot, long proposer, byte[] parentRoot, byte[] stateRoot,
      byte[] proofBytes) {
    Block block = new Block(slot, proposer, parentRoot.clone(), stateRoot.clone(), BlockBody.empty());
    return new SignedBlock(block, proofBytes.clone()).encode();
  }
}
