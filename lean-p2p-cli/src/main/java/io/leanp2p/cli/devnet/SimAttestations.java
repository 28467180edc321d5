package io.leanp2p.cli.devnet;

import io.leanp2p.util.DecodeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * The devnet's simulated attestations: 560 random bytes (the size of a {@code SignedAttestation}
 * with {@code LEAN_ENV=test}) that start with the validator index and the slot, so each is unique
 * and countable. Not a lean container: the real ones are in {@code io.leanp2p.lean}.
 */
public final class SimAttestations {
  public static final int BYTES = 560;

  private SimAttestations() {}

  /** A unique attestation-sized payload: validator index, slot, then random bytes. */
  public static byte[] build(long validator, long slot, Random random) {
    byte[] a = new byte[BYTES];
    random.nextBytes(a);
    ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).putLong(validator).putLong(slot);
    return a;
  }

  /** {validator, slot} of a devnet attestation. */
  public static long[] parse(byte[] a) throws DecodeException {
    if (a.length != BYTES) {
      throw DecodeException.malformed("attestation must be " + BYTES + " bytes, got " + a.length);
    }
    ByteBuffer bb = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
    return new long[] {bb.getLong(0), bb.getLong(8)};
  }
}
