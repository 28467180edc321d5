package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code node --topics NAMES --fork-digest NAME}: the topic strings come from the library's GossipTopic. */
class NodeTopicsTest {
  @Test
  void namesBecomeLeanTopicStrings() {
    assertThat(NodeMain.topicStrings("12345678", List.of("block", " attestation_0", "aggregation")))
        .containsExactly("/leanconsensus/12345678/block/ssz_snappy",
            "/leanconsensus/12345678/attestation_0/ssz_snappy",
            "/leanconsensus/12345678/aggregation/ssz_snappy");
  }

  @Test
  void anUnknownNameIsAUsageError() {
    assertThatThrownBy(() -> NodeMain.topicStrings("12345678", List.of("blocks")))
        .isInstanceOf(UsageException.class).hasMessageContaining("unknown topic name blocks");
    assertThatThrownBy(() -> NodeMain.topicStrings("a/b", List.of("block")))
        .isInstanceOf(UsageException.class).hasMessageContaining("bad network name");
  }
}
