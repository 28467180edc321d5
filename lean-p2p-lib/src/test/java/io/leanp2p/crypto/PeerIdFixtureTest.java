package io.leanp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.testing.Fixtures;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The leanSpec {@code peer_id} fixtures: key type + raw key → protobuf + PeerId. */
class PeerIdFixtureTest {

  @Test
  void allPeerIdFixtures() throws DecodeException {
    List<Fixtures.Case> cases =
        Fixtures.cases("networking/networking_codec/lstar/networking/test_enr_and_peer_id").stream()
            .filter(c -> "peer_id".equals(Fixtures.get(c.body(), "codec", "kind")))
            .toList();
    assertThat(cases).hasSize(4);
    for (Fixtures.Case c : cases) {
      check(c.name(), c.body());
    }
  }

  static void check(String name, Map<String, Object> body) throws DecodeException {
    KeyType type = KeyType.valueOf(((String) Fixtures.get(body, "codec", "keyType")).toUpperCase(Locale.ROOT));
    byte[] raw = Hex.decode((String) Fixtures.get(body, "codec", "publicKey"));
    byte[] expectedPb = Hex.decode((String) Fixtures.get(body, "output", "protobufEncoded"));
    String expectedId = Fixtures.get(body, "output", "peerId");

    assertThat(KeyProtobuf.encode(type, raw)).as(name).isEqualTo(expectedPb);
    KeyProtobuf.Decoded d = KeyProtobuf.decode(expectedPb);
    assertThat(d.type()).as(name).isEqualTo(type);
    assertThat(d.data()).as(name).isEqualTo(raw);

    PeerId id = PeerId.fromPublicKeyProtobuf(expectedPb);
    assertThat(id.toBase58()).as(name).isEqualTo(expectedId);
    assertThat(id.toString()).isEqualTo(expectedId);
    assertThat(PeerId.fromBase58(expectedId)).isEqualTo(id);

    if (type == KeyType.SECP256K1 || type == KeyType.ED25519) {
      PublicKey key = PublicKey.of(type, raw);
      assertThat(key.toProtobuf()).as(name).isEqualTo(expectedPb);
      assertThat(PublicKey.fromProtobuf(expectedPb)).isEqualTo(key);
      assertThat(PeerId.fromPublicKey(key).toBase58()).as(name).isEqualTo(expectedId);
      assertThat(id.extractPublicKey()).contains(key);
    } else {
      assertThat(id.extractPublicKey()).isEmpty();
    }
  }
}
