package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.Block;
import io.leanp2p.lean.BlockBody;
import io.leanp2p.lean.SignedBlockView;
import io.leanp2p.lean.SignedBlocks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RangeVerifierTest {
  /** A chain of blocks at the given slots, each linked to the previous. */
  static List<byte[]> chain(long... slots) {
    List<byte[]> out = new ArrayList<>();
    byte[] parent = new byte[32];
    for (long s : slots) {
      byte[] state = new byte[32];
      state[0] = (byte) s;
      byte[] b = SignedBlocks.build(s, s % 4, parent, state, new byte[] {(byte) s});
      out.add(b);
      parent = new Block(s, s % 4, parent, state, BlockBody.empty()).hashTreeRoot();
    }
    return out;
  }

  @Test
  void acceptsALinkedRangeWhoseFirstParentIsKnown() throws Exception {
    List<byte[]> all = chain(1, 2, 3, 5, 6);
    BlockStore store = new BlockStore();
    store.add(SignedBlockView.parse(all.get(0)), all.get(0));
    RangeVerifier.Result r = RangeVerifier.verify(2, 10, all.subList(1, 5), store);
    assertThat(r.problems()).isEmpty();
    assertThat(r.missingParent()).isNull();
    assertThat(r.blocks()).extracting(SignedBlockView::slot).containsExactly(2L, 3L, 5L, 6L);
  }

  @Test
  void reportsTheMissingParentOfTheFirstBlock() throws Exception {
    List<byte[]> all = chain(1, 2, 3);
    RangeVerifier.Result r = RangeVerifier.verify(2, 2, all.subList(1, 3), new BlockStore());
    assertThat(r.valid()).isTrue();
    assertThat(r.missingParent()).isEqualTo(SignedBlockView.parse(all.get(0)).blockRoot());
  }

  @Test
  void genesisParentIsNeverMissing() {
    RangeVerifier.Result r = RangeVerifier.verify(0, 5, chain(1, 2), new BlockStore());
    assertThat(r.valid()).isTrue();
    assertThat(r.missingParent()).isNull();
  }

  @Test
  void detectsBrokenParentLinks() {
    List<byte[]> a = chain(1, 2, 3);
    List<byte[]> b = chain(4, 5);
    List<byte[]> mixed = List.of(a.get(0), a.get(1), b.get(1));
    RangeVerifier.Result r = RangeVerifier.verify(0, 10, mixed, new BlockStore());
    assertThat(r.problems()).hasSize(1);
    assertThat(r.problems().get(0)).contains("parent_root");
  }

  @Test
  void detectsSlotsOutOfRangeNotIncreasingAndTooMany() {
    List<byte[]> c = chain(1, 2, 3);
    assertThat(RangeVerifier.verify(2, 5, c, new BlockStore()).problems()).anyMatch(p -> p.contains("outside"));
    assertThat(RangeVerifier.verify(0, 2, c, new BlockStore()).problems()).anyMatch(p -> p.contains("got 3 blocks"));
    List<byte[]> swapped = List.of(c.get(1), c.get(0));
    assertThat(RangeVerifier.verify(0, 5, swapped, new BlockStore()).problems()).anyMatch(p -> p.contains("does not increase"));
    assertThat(RangeVerifier.verify(0, 5, List.of(new byte[] {1, 2, 3}), new BlockStore()).problems())
        .anyMatch(p -> p.contains("does not decode"));
  }

  @Test
  void verifyChainChecksLinksFromGenesis() throws Exception {
    List<SignedBlockView> hs = new ArrayList<>();
    for (byte[] b : chain(1, 2, 4)) {
      hs.add(SignedBlockView.parse(b));
    }
    assertThat(RangeVerifier.verifyChain(hs)).isEmpty();
    assertThat(RangeVerifier.verifyChain(hs.subList(1, 3))).hasSize(1);
    assertThat(RangeVerifier.verifyChain(List.of(hs.get(0), hs.get(2)))).hasSize(1);
  }

  @Test
  void blockStoreRangesAreInSlotOrderAndDeduplicated() throws Exception {
    BlockStore s = new BlockStore();
    List<byte[]> c = chain(1, 2, 3, 7);
    for (int i = c.size() - 1; i >= 0; i--) {
      assertThat(s.add(SignedBlockView.parse(c.get(i)), c.get(i))).isTrue();
    }
    assertThat(s.add(SignedBlockView.parse(c.get(0)), c.get(0))).isFalse();
    assertThat(s.range(2, 5)).extracting(x -> x.header().slot()).containsExactly(2L, 3L);
    assertThat(s.range(0, Long.MAX_VALUE)).hasSize(4);
    assertThat(s.headSlot()).isEqualTo(7);
  }
}
