package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.testing.Fixtures;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeanMessagesTest {
  @Test
  void statusMatchesTheDocumentedEncoding() throws Exception {
    byte[] f = new byte[32];
    byte[] h = new byte[32];
    java.util.Arrays.fill(f, (byte) 1);
    java.util.Arrays.fill(h, (byte) 2);
    byte[] s = LeanMessages.status(new LeanMessages.Status(f, 100, h, 150));
    assertThat(Hex.encode(s)).isEqualTo("01".repeat(32) + "6400000000000000" + "02".repeat(32) + "9600000000000000");
    LeanMessages.Status back = LeanMessages.parseStatus(s);
    assertThat(back.headSlot()).isEqualTo(150);
    assertThat(back.finalizedRoot()).isEqualTo(f);
    assertThatThrownBy(() -> LeanMessages.parseStatus(new byte[79])).isInstanceOf(DecodeException.class);
  }

  @Test
  void rangeAndRootRequestsMatchLeanSpecSsz() throws Exception {
    List<Fixtures.Case> cases = Fixtures.cases("ssz/test_networking_containers");
    int checked = 0;
    for (Fixtures.Case c : cases) {
      String type = (String) c.body().get("typeName");
      String ser = ((String) c.body().get("serialized")).substring(2);
      @SuppressWarnings("unchecked")
      Map<String, Object> v = (Map<String, Object>) c.body().get("value");
      if ("BlocksByRangeRequest".equals(type)) {
        long start = ((java.math.BigDecimal) v.get("startSlot")).longValueExact();
        long count = ((java.math.BigDecimal) v.get("count")).longValueExact();
        assertThat(Hex.encode(LeanMessages.rangeRequest(start, count))).as(c.name()).isEqualTo(ser);
        assertThat(LeanMessages.parseRangeRequest(Hex.decode(ser))).containsExactly(start, count);
        checked++;
      } else if ("Status".equals(type)) {
        assertThat(Hex.encode(LeanMessages.status(LeanMessages.parseStatus(Hex.decode(ser))))).as(c.name()).isEqualTo(ser);
        long head = ((java.math.BigDecimal) Fixtures.get(v, "head", "slot")).longValueExact();
        assertThat(LeanMessages.parseStatus(Hex.decode(ser)).headSlot()).isEqualTo(head);
        checked++;
      } else if ("BlocksByRootRequest".equals(type)) {
        List<byte[]> roots = LeanMessages.parseRootsRequest(Hex.decode(ser));
        assertThat(Hex.encode(LeanMessages.rootsRequest(roots))).as(c.name()).isEqualTo(ser);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(6);
    // leanspec-networking.md 4.9: BlocksByRange(start=5, count=64)
    assertThat(Hex.encode(LeanMessages.rangeRequest(5, 64))).isEqualTo("0500000000000000" + "4000000000000000");
  }

  @Test
  void rootsRequestRejectsBadInput() {
    assertThatThrownBy(() -> LeanMessages.parseRootsRequest(new byte[] {4, 0, 0})).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> LeanMessages.parseRootsRequest(new byte[] {5, 0, 0, 0})).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> LeanMessages.parseRootsRequest(new byte[4 + 33])).isInstanceOf(DecodeException.class);
    byte[] tooMany = new byte[4 + 32 * 1025];
    tooMany[0] = 4;
    assertThatThrownBy(() -> LeanMessages.parseRootsRequest(tooMany)).isInstanceOf(DecodeException.class);
  }

  @Test
  void attestationsAreUniquePerValidatorAndSlot() throws Exception {
    Random r = new Random(3);
    byte[] a = LeanMessages.attestation(5, 9, r);
    assertThat(a).hasSize(560);
    assertThat(LeanMessages.parseAttestation(a)).containsExactly(5L, 9L);
    assertThat(LeanMessages.attestation(5, 9, r)).isNotEqualTo(a);
  }
}
