package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.crypto.KeyProtobuf;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PublicKey;
import io.leanp2p.multiformats.Base58;
import io.leanp2p.util.DecodeException;
import java.nio.charset.StandardCharsets;

/**
 * PeerIds and the libp2p {@code PublicKey} protobuf as peers send them (Noise payloads, identify,
 * TLS extension, {@code /p2p/} components, base58 text in bootnode lists).
 */
class PeerIdFuzzTest {

  /** The {@code PublicKey} protobuf: strict decode, key construction, PeerId derivation. */
  @FuzzTest
  void keyProtobuf(byte[] in) {
    KeyProtobuf.Decoded d;
    try {
      d = KeyProtobuf.decode(in);
    } catch (DecodeException e) {
      return;
    }
    assertThat(KeyProtobuf.encode(d.type(), d.data())).as("strict decode is canonical").isEqualTo(in);
    PeerId fromPb;
    try {
      fromPb = PeerId.fromPublicKeyProtobuf(in);
    } catch (DecodeException e) {
      throw new AssertionError("a decodable key protobuf gives no PeerId", e);
    }
    try {
      PublicKey key = PublicKey.fromProtobuf(in);
      assertThat(key.toProtobuf()).isEqualTo(in);
      assertThat(fromPb.matches(key)).isTrue();
      assertThat(key.verify(in, in)).isFalse(); // garbage signature: false, never a throw
    } catch (DecodeException e) {
      // unsupported type or not a valid point: only a PeerId, no key
    }
  }

  /** A PeerId multihash (e.g. a {@code /p2p/} value) and its base58 text form. */
  @FuzzTest
  void multihash(byte[] in) {
    try {
      PeerId id = PeerId.fromBytes(in);
      assertThat(id.toBytes()).isEqualTo(in);
      assertThat(PeerId.fromBase58(id.toBase58())).isEqualTo(id);
      id.extractPublicKey().ifPresent(k -> assertThat(id.matches(k)).isTrue());
    } catch (DecodeException e) {
      // rejected
    }
  }

  /** Base58 text as it appears in a bootnode multiaddr. */
  @FuzzTest
  void base58(byte[] in) {
    String s = new String(in, StandardCharsets.UTF_8);
    try {
      byte[] raw = Base58.decode(s);
      assertThat(Base58.encode(raw)).isEqualTo(s);
    } catch (DecodeException e) {
      // rejected
    }
    try {
      PeerId id = PeerId.fromBase58(s);
      assertThat(id.toBase58()).isEqualTo(s);
    } catch (DecodeException e) {
      // rejected
    }
  }
}
