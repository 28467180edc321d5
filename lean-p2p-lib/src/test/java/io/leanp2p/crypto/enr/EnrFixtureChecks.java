package io.leanp2p.crypto.enr;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/** Checks one leanSpec {@code enr} fixture case against {@link Enr}; shared by tests. */
public final class EnrFixtureChecks {
  private EnrFixtureChecks() {}

  public static void check(String name, Map<String, Object> body) throws DecodeException {
    String text = Fixtures.get(body, "codec", "enrString");
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) body.get("output");
    Enr enr = Enr.parse(text);
    assertThat(enr.toRlp()).as(name + " rlp").isEqualTo(Hex.decode((String) out.get("rlp")));
    assertThat(enr.toText()).as(name).isEqualTo(text);
    assertThat(Enr.fromRlp(enr.toRlp())).isEqualTo(enr);
    assertThat(Long.toUnsignedString(enr.seq())).as(name + " seq").isEqualTo(num(out.get("seq")));
    assertThat(enr.identityScheme().orElse(null)).as(name + " identityScheme").isEqualTo(out.get("identityScheme"));
    assertThat(enr.nodeId().map(Hex::encode).orElse(null)).as(name + " nodeId").isEqualTo(hexOrNull(out.get("nodeId")));
    assertThat(enr.publicKey().map(Hex::encode).orElse(null)).as(name + " publicKey")
        .isEqualTo(hexOrNull(out.get("publicKey")));
    assertThat(enr.ip4().map(a -> a.getHostAddress()).orElse(null)).as(name + " ip4").isEqualTo(out.get("ip4"));
    assertThat(enr.udpPort().isPresent() ? String.valueOf(enr.udpPort().getAsInt()) : null).as(name + " udpPort")
        .isEqualTo(numOrNull(out.get("udpPort")));
    assertThat(enr.quicPort().isPresent() ? String.valueOf(enr.quicPort().getAsInt()) : null).as(name + " quicPort")
        .isEqualTo(numOrNull(out.get("quicPort")));
    assertThat(enr.multiaddr().map(Multiaddr::toString).orElse(null)).as(name + " multiaddr")
        .isEqualTo(out.get("multiaddr"));
    @SuppressWarnings("unchecked")
    Map<String, Object> eth2 = (Map<String, Object>) out.get("eth2Data");
    if (eth2 == null) {
      assertThat(enr.eth2()).as(name + " eth2").isEmpty();
    } else {
      Eth2Data e = enr.eth2().orElseThrow();
      assertThat(Hex.encode(e.forkDigest())).isEqualTo(hexOrNull(eth2.get("forkDigest")));
      assertThat(Hex.encode(e.nextForkVersion())).isEqualTo(hexOrNull(eth2.get("nextForkVersion")));
      assertThat(Long.toUnsignedString(e.nextForkEpoch())).isEqualTo(num(eth2.get("nextForkEpoch")));
    }
    @SuppressWarnings("unchecked")
    List<Object> subnets = (List<Object>) out.get("attestationSubnets");
    if (subnets == null) {
      assertThat(enr.attnets()).as(name + " attnets").isEmpty();
    } else {
      BitSet bits = enr.attnets().orElseThrow();
      List<String> got = new ArrayList<>();
      bits.stream().forEach(i -> got.add(String.valueOf(i)));
      assertThat(got).as(name + " attnets").isEqualTo(subnets.stream().map(EnrFixtureChecks::num).toList());
    }
    assertThat(enr.isAggregator()).as(name + " isAggregator").isEqualTo(out.get("isAggregator"));
    assertThat(enr.signatureValid()).as(name + " signatureValid").isEqualTo(out.get("signatureValid"));
    assertThat(enr.isValid()).as(name + " isValid").isEqualTo(out.get("isValid"));
    // the dialable form appends the PeerId of the record's key
    if (out.get("multiaddr") != null) {
      PeerId id = PeerId.fromBytes(
          io.leanp2p.multiformats.Multihash.identity(
              io.leanp2p.crypto.PublicKey.of(io.leanp2p.crypto.KeyType.SECP256K1,
                  Hex.decode((String) out.get("publicKey"))).toProtobuf()));
      assertThat(enr.dialMultiaddr().map(Multiaddr::toString).orElse(null))
          .isEqualTo(out.get("multiaddr") + "/p2p/" + id.toBase58());
    }
  }

  private static String num(Object o) {
    return new BigDecimal(o.toString()).toBigIntegerExact().toString();
  }

  private static String numOrNull(Object o) {
    return o == null ? null : num(o);
  }

  private static String hexOrNull(Object o) {
    return o == null ? null : Hex.encode(Hex.decode((String) o));
  }
}
