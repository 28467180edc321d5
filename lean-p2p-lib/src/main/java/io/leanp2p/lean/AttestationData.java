package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;

/**
 * {@code AttestationData = { slot: uint64, head: Checkpoint, target: Checkpoint, source: Checkpoint }},
 * 128 bytes.
 */
public record AttestationData(long slot, Checkpoint head, Checkpoint target, Checkpoint source) {
  /** Encoded size. */
  public static final int SIZE = 8 + 3 * Checkpoint.SIZE;

  public static AttestationData decode(byte[] ssz) throws DecodeException {
    Ssz.exactLength("AttestationData", ssz.length, SIZE);
    return read(ssz, 0);
  }

  static AttestationData read(byte[] b, int off) {
    return new AttestationData(Ssz.u64(b, off), Checkpoint.read(b, off + 8),
        Checkpoint.read(b, off + 48), Checkpoint.read(b, off + 88));
  }

  public byte[] encode() {
    byte[] out = new byte[SIZE];
    write(out, 0);
    return out;
  }

  void write(byte[] out, int off) {
    Ssz.putU64(out, off, slot);
    head.write(out, off + 8);
    target.write(out, off + 48);
    source.write(out, off + 88);
  }

  public byte[] hashTreeRoot() {
    return Merkle.container(Merkle.uint64(slot), head.hashTreeRoot(), target.hashTreeRoot(),
        source.hashTreeRoot());
  }
}
