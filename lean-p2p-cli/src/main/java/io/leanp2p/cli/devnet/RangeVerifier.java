package io.leanp2p.cli.devnet;

import io.leanp2p.lean.SignedBlockView;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a blocks_by_range response the way leanSpec's client does (leanspec-networking.md §4.8):
 * at most {@code count} blocks, slots strictly increasing inside {@code [start, start+count)},
 * each block's parent_root equal to the previous block's root. It also reports the first block's
 * parent when the syncing node does not hold it (to fetch with blocks_by_root).
 */
public final class RangeVerifier {
  private RangeVerifier() {}

  /**
   * The verdict.
   *
   * @param blocks the decoded blocks, in order (only those that decoded)
   * @param problems protocol violations (empty when the response is valid)
   * @param missingParent the first block's parent root when the store lacks it, else null
   */
  public record Result(List<SignedBlockView> blocks, List<String> problems, byte[] missingParent) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  public static Result verify(long start, long count, List<byte[]> response, BlockStore known) {
    List<SignedBlockView> blocks = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (response.size() > count) {
      problems.add("got " + response.size() + " blocks for a range of " + count);
    }
    long end = count > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + count;
    SignedBlockView prev = null;
    for (int i = 0; i < response.size(); i++) {
      SignedBlockView h;
      try {
        h = SignedBlockView.parse(response.get(i));
      } catch (DecodeException e) {
        problems.add("block " + i + " does not decode: " + e.getMessage());
        continue;
      }
      if (h.slot() < start || h.slot() >= end) {
        problems.add("block slot " + h.slot() + " outside [" + start + ", " + end + ")");
      }
      if (prev != null) {
        if (h.slot() <= prev.slot()) {
          problems.add("slot " + h.slot() + " does not increase (previous " + prev.slot() + ")");
        }
        if (!Arrays.equals(h.parentRoot(), prev.blockRoot())) {
          problems.add("block at slot " + h.slot() + ": parent_root " + Hex.encode(h.parentRoot())
              + " is not the root of the block at slot " + prev.slot());
        }
      }
      blocks.add(h);
      prev = h;
    }
    byte[] missingParent = null;
    if (!blocks.isEmpty()) {
      SignedBlockView first = blocks.get(0);
      byte[] parent = first.parentRoot();
      if (!Arrays.equals(parent, new byte[32]) && !known.hasRoot(parent)) {
        missingParent = parent;
      }
    }
    return new Result(blocks, problems, missingParent);
  }

  /** Checks that a whole chain (slot order) links: every block's parent is the previous block's root. */
  public static List<String> verifyChain(List<SignedBlockView> chain) {
    List<String> problems = new ArrayList<>();
    for (int i = 1; i < chain.size(); i++) {
      if (!Arrays.equals(chain.get(i).parentRoot(), chain.get(i - 1).blockRoot())) {
        problems.add("slot " + chain.get(i).slot() + " does not link to slot " + chain.get(i - 1).slot());
      }
    }
    if (!chain.isEmpty() && !Arrays.equals(chain.get(0).parentRoot(), new byte[32])) {
      problems.add("the first block (slot " + chain.get(0).slot() + ") does not start from genesis");
    }
    return problems;
  }
}
