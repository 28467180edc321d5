package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.crypto.enr.Enr;
import io.leanp2p.crypto.enr.Rlp;
import io.leanp2p.util.DecodeException;
import java.nio.charset.StandardCharsets;

/**
 * ENRs (EIP-778) as bootnode lists carry them: the text form and the RLP record. A parsed record
 * must re-serialise to its input and every accessor the dialer uses must answer without throwing.
 */
class EnrFuzzTest {

  @FuzzTest
  void rlp(byte[] in) {
    try {
      Rlp.Item item = Rlp.decode(in, Enr.MAX_SIZE);
      assertThat(item.encoded()).isEqualTo(in);
    } catch (DecodeException e) {
      // not RLP
    }
    Enr enr;
    try {
      enr = Enr.fromRlp(in);
    } catch (DecodeException e) {
      return;
    }
    assertThat(enr.toRlp()).isEqualTo(in);
    try {
      assertThat(Enr.parse(enr.toText())).isEqualTo(enr);
    } catch (DecodeException e) {
      throw new AssertionError("text form of a decoded ENR does not parse", e);
    }
    exercise(enr);
  }

  @FuzzTest
  void text(byte[] in) {
    String s = new String(in, StandardCharsets.UTF_8);
    Enr enr;
    try {
      enr = Enr.parse(s);
    } catch (DecodeException e) {
      return;
    }
    assertThat(enr.toText()).isEqualTo(s);
    exercise(enr);
  }

  private static void exercise(Enr enr) {
    enr.keys();
    enr.identityScheme();
    enr.eth2();
    enr.attnets();
    enr.isAggregator();
    enr.nodeId();
    enr.dialMultiaddrs();
    boolean valid = enr.isValid();
    if (enr.signatureValid()) {
      assertThat(valid).isTrue();
    }
    assertThat(enr.toString()).startsWith("Enr[");
  }
}
