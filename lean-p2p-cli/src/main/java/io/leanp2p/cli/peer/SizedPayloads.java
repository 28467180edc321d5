package io.leanp2p.cli.peer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Payloads for {@code {"cmd":"publish","size":N}}: an 8-byte little-endian counter, an 8-byte
 * per-process nonce, then random filler; unique, incompressible and never valid raw snappy.
 * Used by one thread at a time (the session serialises publish building).
 */
public final class SizedPayloads {
  private final Random random;
  private final long nonce;
  private long counter;

  public SizedPayloads(Random random) {
    this.random = random;
    this.nonce = random.nextLong();
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
      byte[] filler = new byte[size - 16];
      random.nextBytes(filler);
      b.put(filler);
      if (!MessageIds.isValidSnappy(p)) {
        return p;
      }
    }
  }
}
