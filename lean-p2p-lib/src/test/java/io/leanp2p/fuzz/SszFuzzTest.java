package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.lean.AggregatedAttestation;
import io.leanp2p.lean.AttestationData;
import io.leanp2p.lean.Block;
import io.leanp2p.lean.BlockBody;
import io.leanp2p.lean.BlocksByRangeRequest;
import io.leanp2p.lean.BlocksByRootRequest;
import io.leanp2p.lean.Checkpoint;
import io.leanp2p.lean.SignedBlock;
import io.leanp2p.lean.SignedBlockView;
import io.leanp2p.lean.Status;
import io.leanp2p.util.DecodeException;

/**
 * The lean SSZ containers a peer can send (req/resp requests and responses, gossip blocks and
 * attestations). SSZ has exactly one encoding per value, so whatever a strict decoder accepts must
 * re-encode to the very same bytes.
 */
class SszFuzzTest {

  /** A decoder and the re-encoding of its result. */
  @FunctionalInterface
  interface RoundTrip {
    byte[] decodeAndEncode(byte[] ssz) throws DecodeException;
  }

  private static final RoundTrip[] TYPES = {
    b -> SignedBlock.decode(b).encode(),
    b -> Status.decode(b).encode(),
    b -> BlocksByRootRequest.decode(b).encode(),
    b -> BlocksByRangeRequest.decode(b).encode(),
    b -> Block.decode(b).encode(),
    b -> BlockBody.decode(b).encode(),
    b -> AggregatedAttestation.decode(b).encode(),
    b -> AttestationData.decode(b).encode(),
    b -> Checkpoint.decode(b).encode(),
    b -> {
      SignedBlockView v = SignedBlockView.parse(b);
      assertThat(v.blockRoot()).hasSize(32);
      assertThat(v.slot()).isEqualTo(v.signedBlock().block().slot());
      return v.signedBlock().encode();
    },
  };

  /** The first byte picks the container, the rest is its encoding. */
  @FuzzTest
  void containers(FuzzedDataProvider data) {
    RoundTrip t = TYPES[data.consumeInt(0, TYPES.length - 1)];
    byte[] ssz = data.consumeRemainingAsBytes();
    long before = FuzzSupport.allocated();
    byte[] back;
    try {
      back = t.decodeAndEncode(ssz);
    } catch (DecodeException e) {
      FuzzSupport.checkAllocation(before, FuzzSupport.BASE_ALLOCATION + 16L * ssz.length, "SSZ decode",
          () -> t.decodeAndEncode(ssz));
      return;
    }
    assertThat(back).as("re-encoding of an accepted SSZ value").isEqualTo(ssz);
  }

  /** The signed block alone: the gossip block topic and every blocks_by_* response chunk. */
  @FuzzTest
  void signedBlock(byte[] ssz) {
    long before = FuzzSupport.allocated();
    try {
      SignedBlock b = SignedBlock.decode(ssz);
      assertThat(b.encode()).isEqualTo(ssz);
      assertThat(b.block().hashTreeRoot()).hasSize(32);
    } catch (DecodeException e) {
      FuzzSupport.checkAllocation(before, FuzzSupport.BASE_ALLOCATION + 16L * ssz.length, "SSZ decode",
          () -> SignedBlock.decode(ssz));
    }
  }
}
