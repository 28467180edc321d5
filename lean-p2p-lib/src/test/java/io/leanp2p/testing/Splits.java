package io.leanp2p.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Ways to cut an input into consecutive pieces, for testing incremental decoders under every
 * fragmentation: whole, every 1-byte piece, every single cut point, and random seeded cuts (the
 * seed is printed so a failure can be replayed with {@code -Dsplits.seed=...}).
 */
public final class Splits {
  private Splits() {}

  /** A named fragmentation of an input. */
  public record Split(String name, List<byte[]> pieces) {
    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * Whole; 1-byte pieces; every two-piece cut (for inputs up to {@code maxExhaustive} bytes); and
   * {@code randomRuns} random cuts from a seed (property {@code splits.seed} or time-based).
   */
  public static List<Split> of(byte[] input, int maxExhaustive, int randomRuns) {
    List<Split> out = new ArrayList<>();
    out.add(new Split("whole", List.of(input.clone())));
    out.add(new Split("1-byte", cut(input, 1)));
    out.add(new Split("2-byte", cut(input, 2)));
    if (input.length <= maxExhaustive) {
      for (int i = 1; i < input.length; i++) {
        List<byte[]> two = new ArrayList<>();
        two.add(slice(input, 0, i));
        two.add(slice(input, i, input.length));
        out.add(new Split("cut@" + i, two));
      }
    }
    long seed = Long.getLong("splits.seed", System.nanoTime());
    Random rnd = new Random(seed);
    for (int r = 0; r < randomRuns; r++) {
      long runSeed = rnd.nextLong();
      out.add(new Split("random(seed=" + seed + ",run=" + r + ")", randomCut(input, new Random(runSeed))));
    }
    System.out.println("Splits: random cuts seed=" + seed + " (replay with -Dsplits.seed=" + seed + ")");
    return out;
  }

  public static List<Split> of(byte[] input) {
    return of(input, 512, 20);
  }

  public static List<byte[]> cut(byte[] input, int size) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < input.length; i += size) {
      out.add(slice(input, i, Math.min(input.length, i + size)));
    }
    return out;
  }

  public static List<byte[]> randomCut(byte[] input, Random rnd) {
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    while (i < input.length) {
      // mostly small pieces, some empty ones, some large
      int n = switch (rnd.nextInt(4)) {
        case 0 -> 0;
        case 1 -> 1 + rnd.nextInt(3);
        case 2 -> 1 + rnd.nextInt(64);
        default -> 1 + rnd.nextInt(Math.max(1, input.length - i));
      };
      n = Math.min(n, input.length - i);
      out.add(slice(input, i, i + n));
      i += n;
    }
    return out;
  }

  private static byte[] slice(byte[] in, int from, int to) {
    byte[] b = new byte[to - from];
    System.arraycopy(in, from, b, 0, b.length);
    return b;
  }
}
