package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimAttestationsTest {
  @Test
  void attestationsAreUniquePerValidatorAndSlot() throws Exception {
    Random r = new Random(3);
    byte[] a = SimAttestations.build(5, 9, r);
    assertThat(a).hasSize(560);
    assertThat(SimAttestations.parse(a)).containsExactly(5L, 9L);
    assertThat(SimAttestations.build(5, 9, r)).isNotEqualTo(a);
    assertThatThrownBy(() -> SimAttestations.parse(new byte[559])).isInstanceOf(DecodeException.class);
  }
}
