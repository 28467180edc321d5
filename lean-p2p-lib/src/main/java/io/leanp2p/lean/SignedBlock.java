package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;
import java.util.Arrays;

/**
 * {@code SignedBlock = { block: Block, proof: MultiMessageAggregate{ proof: ByteList[512 KiB] } }},
 * encoded as {@code 08000000 || offset || block || 04000000 || proof}. {@code proof} holds the
 * inner byte list.
 */
public record SignedBlock(Block block, byte[] proof) {
  /** ByteList limit of the aggregate proof. */
  public static final int MAX_PROOF = 512 * 1024;

  public SignedBlock {
    java.util.Objects.requireNonNull(block, "block");
    if (proof.length > MAX_PROOF) {
      throw new IllegalArgumentException("proof of " + proof.length + " bytes exceeds " + MAX_PROOF);
    }
  }

  public static SignedBlock decode(byte[] ssz) throws DecodeException {
    Ssz.minLength("SignedBlock", ssz.length, 8);
    Ssz.firstOffset("SignedBlock", ssz, 0, 0, 8);
    long proofOffset = Ssz.u32(ssz, 4);
    if (proofOffset < 8 || proofOffset > ssz.length) {
      throw DecodeException.malformed("SignedBlock proof offset " + proofOffset + " out of bounds");
    }
    int p = (int) proofOffset;
    Block block = Block.read(ssz, 8, p - 8);
    int aggLen = ssz.length - p;
    Ssz.minLength("MultiMessageAggregate", aggLen, 4);
    Ssz.firstOffset("MultiMessageAggregate", ssz, p, 0, 4);
    if (aggLen - 4 > MAX_PROOF) {
      throw DecodeException.tooLarge("proof bytes", aggLen - 4, MAX_PROOF);
    }
    return new SignedBlock(block, Ssz.slice(ssz, p + 4, ssz.length));
  }

  public byte[] encode() {
    int blockSize = block.encodedSize();
    byte[] out = new byte[8 + blockSize + 4 + proof.length];
    Ssz.putU32(out, 0, 8);
    Ssz.putU32(out, 4, 8 + blockSize);
    block.write(out, 8);
    Ssz.putU32(out, 8 + blockSize, 4);
    System.arraycopy(proof, 0, out, 8 + blockSize + 4, proof.length);
    return out;
  }

  /** Root of the {@code MultiMessageAggregate} (a one-field container of the proof bytes). */
  public byte[] proofRoot() {
    return Merkle.container(Merkle.byteList(proof, MAX_PROOF));
  }

  public byte[] hashTreeRoot() {
    return Merkle.container(block.hashTreeRoot(), proofRoot());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedBlock s && s.block.equals(block) && Arrays.equals(s.proof, proof);
  }

  @Override
  public int hashCode() {
    return 31 * block.hashCode() + Arrays.hashCode(proof);
  }

  @Override
  public String toString() {
    return "SignedBlock[" + block + ", proof=" + proof.length + " bytes]";
  }
}
