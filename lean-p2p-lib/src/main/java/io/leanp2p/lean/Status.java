package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;

/** {@code Status = { finalized: Checkpoint, head: Checkpoint }}, 80 bytes. */
public record Status(Checkpoint finalized, Checkpoint head) {
  /** Encoded size. */
  public static final int SIZE = 80;

  public Status {
    java.util.Objects.requireNonNull(finalized, "finalized");
    java.util.Objects.requireNonNull(head, "head");
  }

  public static Status decode(byte[] ssz) throws DecodeException {
    Ssz.exactLength("Status", ssz.length, SIZE);
    return new Status(Checkpoint.read(ssz, 0), Checkpoint.read(ssz, 40));
  }

  public byte[] encode() {
    byte[] out = new byte[SIZE];
    finalized.write(out, 0);
    head.write(out, 40);
    return out;
  }

  public byte[] hashTreeRoot() {
    return Merkle.container(finalized.hashTreeRoot(), head.hashTreeRoot());
  }
}
