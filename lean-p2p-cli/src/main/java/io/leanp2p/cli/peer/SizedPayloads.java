package io.leanp2p.cli.peer;

import io.leanp2p.codec.snappy.SnappyBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Payloads for {@code {"cmd":"publish","size":N}}: an 8-byte little-endian counter, an 8-byte
 * per-process nonce, then random filler; unique, incompressible and never valid raw snappy.
 * Used by one thread at a time (the session serialises publish building).
 */
public final class SizedPayloads {
  private final java.util.SplittableRandom filler;
  private final long nonce;
  private long counter;

  public SizedPayloads(Random random) {
    this.nonce = random.nextLong();
    this.filler = new java.util.SplittableRandom(random.nextLong()); // ~6x faster than Random for filler
  }

  public synchronized byte[] next(int size) {
    if (size < 16) {
      throw new IllegalArgumentException("size must be at least 16");
    }
    while (true) {
      byte[] p = new byte[size];
      ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(counter++);
      b.putLong(nonce);
      while (b.remaining() >= 8) {
        b.putLong(filler.nextLong());
      }
      long tail = filler.nextLong();
      while (b.hasRemaining()) {
        b.put((byte) tail);
        tail >>>= 8;
      }
      if (!SnappyBlock.isValid(p, 0, p.length, Integer.MAX_VALUE)) { // the lean id treats valid snappy differently
        return p;
      }
    }
  }
}
