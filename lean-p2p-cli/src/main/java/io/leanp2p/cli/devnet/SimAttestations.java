package io.leanp2p.cli.devnet;

import io.leanp2p.util.DecodeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The few lean SSZ messages the devnet exchanges besides blocks (leanspec-networking.md §4.9):
 * Status, BlocksByRangeRequest, BlocksByRootRequest, and the devnet's attestations (560 bytes,
 * the size of a {@code SignedAttestation} with {@code LEAN_ENV=test}).
 */
public final class LeanMessages {
  public static final int STATUS_BYTES = 80;
  public static final int ATTESTATION_BYTES = 560;
  public static final int MAX_ROOTS = 1024;

  private LeanMessages() {}

  /** {@code Status{finalized: Checkpoint, head: Checkpoint}}. */
  public record Status(byte[] finalizedRoot, long finalizedSlot, byte[] headRoot, long headSlot) {}

  public static byte[] status(Status s) {
    return ByteBuffer.allocate(STATUS_BYTES).order(ByteOrder.LITTLE_ENDIAN)
        .put(s.finalizedRoot()).putLong(s.finalizedSlot()).put(s.headRoot()).putLong(s.headSlot()).array();
  }

  public static Status parseStatus(byte[] b) throws DecodeException {
    if (b.length != STATUS_BYTES) {
      throw DecodeException.malformed("Status must be 80 bytes, got " + b.length);
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    return new Status(Arrays.copyOfRange(b, 0, 32), bb.getLong(32), Arrays.copyOfRange(b, 40, 72), bb.getLong(72));
  }

  /** {@code BlocksByRangeRequest{start_slot, count}} (16 bytes). */
  public static byte[] rangeRequest(long start, long count) {
    return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(start).putLong(count).array();
  }

  /** Returns {start, count}. */
  public static long[] parseRangeRequest(byte[] b) throws DecodeException {
    if (b.length != 16) {
      throw DecodeException.malformed("BlocksByRangeRequest must be 16 bytes, got " + b.length);
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    return new long[] {bb.getLong(0), bb.getLong(8)};
  }

  /** {@code BlocksByRootRequest{roots: List[Root, 1024]}} = offset 4 || roots. */
  public static byte[] rootsRequest(List<byte[]> roots) {
    ByteBuffer bb = ByteBuffer.allocate(4 + 32 * roots.size()).order(ByteOrder.LITTLE_ENDIAN).putInt(4);
    roots.forEach(bb::put);
    return bb.array();
  }

  public static List<byte[]> parseRootsRequest(byte[] b) throws DecodeException {
    if (b.length < 4) {
      throw DecodeException.truncated("BlocksByRootRequest offset");
    }
    if (ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(0) != 4) {
      throw DecodeException.malformed("BlocksByRootRequest: first offset is not 4");
    }
    int n = (b.length - 4) / 32;
    if ((b.length - 4) % 32 != 0 || n > MAX_ROOTS) {
      throw DecodeException.malformed("BlocksByRootRequest: bad root list length " + (b.length - 4));
    }
    List<byte[]> roots = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      roots.add(Arrays.copyOfRange(b, 4 + 32 * i, 36 + 32 * i));
    }
    return roots;
  }

  /** A unique attestation-sized payload: validator index, slot, then random bytes. */
  public static byte[] attestation(long validator, long slot, java.util.Random random) {
    byte[] a = new byte[ATTESTATION_BYTES];
    random.nextBytes(a);
    ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).putLong(validator).putLong(slot);
    return a;
  }

  /** {validator, slot} of a devnet attestation. */
  public static long[] parseAttestation(byte[] a) throws DecodeException {
    if (a.length != ATTESTATION_BYTES) {
      throw DecodeException.malformed("attestation must be " + ATTESTATION_BYTES + " bytes, got " + a.length);
    }
    ByteBuffer bb = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
    return new long[] {bb.getLong(0), bb.getLong(8)};
  }
}
