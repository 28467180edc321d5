package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.testing.Fixtures;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimBlocksTest {
  static Map<String, Object> fixture(String name) {
    Map<String, Object> file = Fixtures.readObject(
        Fixtures.requireRoot().resolve("ssz/test_consensus_containers/" + name + ".json"));
    @SuppressWarnings("unchecked")
    Map<String, Object> body = (Map<String, Object>) file.values().iterator().next();
    return body;
  }

  @Test
  void buildMatchesTheLeanSpecSignedBlockEncoding() {
    Map<String, Object> f = fixture("test_signed_block_with_proof_bytes");
    byte[] parent = Hex.decode((String) Fixtures.get(f, "value", "block", "parentRoot"));
    byte[] state = Hex.decode((String) Fixtures.get(f, "value", "block", "stateRoot"));
    byte[] proof = Hex.decode((String) Fixtures.get(f, "value", "proof", "proof", "data"));
    long slot = ((java.math.BigDecimal) Fixtures.get(f, "value", "block", "slot")).longValueExact();
    long proposer = ((java.math.BigDecimal) Fixtures.get(f, "value", "block", "proposerIndex")).longValueExact();
    byte[] built = SimBlocks.build(slot, proposer, parent, state, proof);
    assertThat(Hex.encode(built)).isEqualTo(((String) f.get("serialized")).substring(2));
  }

  @Test
  void blockRootMatchesTheLeanSpecBlockRoot() throws Exception {
    for (String name : new String[] {"test_block_empty_body"}) {
      Map<String, Object> f = fixture(name);
      byte[] parent = Hex.decode((String) Fixtures.get(f, "value", "parentRoot"));
      byte[] state = Hex.decode((String) Fixtures.get(f, "value", "stateRoot"));
      long slot = ((java.math.BigDecimal) Fixtures.get(f, "value", "slot")).longValueExact();
      long proposer = ((java.math.BigDecimal) Fixtures.get(f, "value", "proposerIndex")).longValueExact();
      assertThat(Hex.encode(SimBlocks.blockRoot(slot, proposer, parent, state)))
          .isEqualTo(((String) f.get("root")).substring(2));
      // and through build + parse
      byte[] ssz = SimBlocks.build(slot, proposer, parent, state, new byte[0]);
      assertThat(Hex.encode(SimBlocks.parse(ssz).root())).isEqualTo(((String) f.get("root")).substring(2));
    }
  }

  @Test
  void parseRoundTripsAndTheRootDependsOnEveryField() throws Exception {
    Random r = new Random(7);
    byte[] parent = new byte[32];
    byte[] state = new byte[32];
    r.nextBytes(parent);
    r.nextBytes(state);
    byte[] proof = new byte[256 * 1024];
    r.nextBytes(proof);
    byte[] ssz = SimBlocks.build(12, 3, parent, state, proof);
    SimBlocks.Header h = SimBlocks.parse(ssz);
    assertThat(h.slot()).isEqualTo(12);
    assertThat(h.proposer()).isEqualTo(3);
    assertThat(h.parentRoot()).isEqualTo(parent);
    assertThat(h.stateRoot()).isEqualTo(state);
    assertThat(h.proofBytes()).isEqualTo(proof.length);
    byte[] root = h.root();
    assertThat(SimBlocks.blockRoot(13, 3, parent, state)).isNotEqualTo(root);
    assertThat(SimBlocks.blockRoot(12, 4, parent, state)).isNotEqualTo(root);
    assertThat(SimBlocks.blockRoot(12, 3, state, state)).isNotEqualTo(root);
    assertThat(SimBlocks.blockRoot(12, 3, parent, parent)).isNotEqualTo(root);
  }

  @Test
  void parseRejectsEveryTruncationAndBadOffsets() {
    byte[] ssz = SimBlocks.build(1, 1, new byte[32], new byte[32], new byte[10]);
    for (int cut = 0; cut < SimBlocks.MIN_SIGNED_BLOCK_BYTES; cut++) {
      byte[] t = Arrays.copyOf(ssz, cut);
      assertThatThrownBy(() -> SimBlocks.parse(t)).isInstanceOf(DecodeException.class);
    }
    for (int off : new int[] {0, 4, 88, 92, 96}) {
      byte[] bad = ssz.clone();
      bad[off] ^= 1;
      assertThatThrownBy(() -> SimBlocks.parse(bad)).as("offset byte " + off).isInstanceOf(DecodeException.class);
    }
  }
}
