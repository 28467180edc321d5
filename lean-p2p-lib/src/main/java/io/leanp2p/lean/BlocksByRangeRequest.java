package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;

/**
 * {@code BlocksByRangeRequest = { start_slot: uint64, count: uint64 }}, 16 bytes (no phase0
 * {@code step}). Both values are unsigned 64-bit held in {@code long}s. Decoding checks the shape
 * only; a responder also requires {@code 1 <= count <=} {@value #MAX_COUNT}.
 */
public record BlocksByRangeRequest(long startSlot, long count) {
  /** Encoded size. */
  public static final int SIZE = 16;
  /** Lean {@code MAX_REQUEST_BLOCKS}: the largest count a responder serves. */
  public static final int MAX_COUNT = BlocksByRootRequest.MAX_ROOTS;

  public static BlocksByRangeRequest decode(byte[] ssz) throws DecodeException {
    Ssz.exactLength("BlocksByRangeRequest", ssz.length, SIZE);
    return new BlocksByRangeRequest(Ssz.u64(ssz, 0), Ssz.u64(ssz, 8));
  }

  public byte[] encode() {
    byte[] out = new byte[SIZE];
    Ssz.putU64(out, 0, startSlot);
    Ssz.putU64(out, 8, count);
    return out;
  }

  public byte[] hashTreeRoot() {
    return Merkle.container(Merkle.uint64(startSlot), Merkle.uint64(count));
  }
}
