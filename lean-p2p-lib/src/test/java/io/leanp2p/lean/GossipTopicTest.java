package io.leanp2p.lean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import org.junit.jupiter.api.Test;

/** Topic strings built from a network and a name component (the conformance suite checks parse). */
class GossipTopicTest {
  @Test
  void ofBuildsTheLeanTopicStrings() throws DecodeException {
    assertThat(GossipTopic.of("12345678", "block").format())
        .isEqualTo("/leanconsensus/12345678/block/ssz_snappy")
        .isEqualTo(GossipTopic.block("12345678").format());
    assertThat(GossipTopic.of("devnet0", "attestation_3")).isEqualTo(GossipTopic.attestation("devnet0", 3));
    assertThat(GossipTopic.of("n", "aggregation").format()).isEqualTo("/leanconsensus/n/aggregation/ssz_snappy");
    assertThat(GossipTopic.of("n", "attestation").subnetId()).isEqualTo(-1);
  }

  @Test
  void ofRejectsWhatParseRejects() {
    for (String name : new String[] {"blocks", "", "attestation_", "attestation_01", "attestation_x"}) {
      assertThatThrownBy(() -> GossipTopic.of("n", name)).as(name).isInstanceOf(DecodeException.class);
    }
    assertThatThrownBy(() -> GossipTopic.of("", "block")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> GossipTopic.of("a/b", "block")).isInstanceOf(DecodeException.class);
  }
}
