package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.util.DecodeException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Multiaddrs from a peer: binary (identify listen / observed addresses) and text (bootnode lists,
 * ENR-derived, config). Both forms are canonical here, so a decoded address must print and
 * serialise back to what was read, and its accessors must not throw.
 */
class MultiaddrFuzzTest {

  @FuzzTest
  void bytes(byte[] in) {
    Multiaddr m;
    try {
      m = Multiaddr.fromBytes(in);
    } catch (DecodeException e) {
      return;
    }
    assertThat(m.toBytes()).isEqualTo(in);
    String text = m.toString();
    try {
      assertThat(Multiaddr.parse(text)).isEqualTo(m);
    } catch (DecodeException e) {
      throw new AssertionError("printed form '" + text + "' of a decoded address does not parse", e);
    }
    exercise(m);
  }

  @FuzzTest
  void text(byte[] in) {
    String s = new String(in, StandardCharsets.UTF_8);
    Multiaddr m;
    try {
      m = Multiaddr.parse(s);
    } catch (DecodeException e) {
      return;
    }
    boolean ip6 = m.components().stream().anyMatch(c -> c.protocol() == Multiaddr.Protocol.IP6);
    if (ip6) {
      // IPv6 text is canonicalised on purpose (RFC 4291 input: upper case, leading zeros,
      // uncompressed; RFC 5952 output): the printed form must be a fixed point
      try {
        assertThat(Multiaddr.parse(m.toString()).toString()).isEqualTo(m.toString());
      } catch (DecodeException e) {
        throw new AssertionError("printed form of a parsed address does not parse", e);
      }
    } else {
      assertThat(m.toString()).as("text form is canonical").isEqualTo(s);
    }
    try {
      assertThat(Multiaddr.fromBytes(m.toBytes())).isEqualTo(m);
    } catch (DecodeException e) {
      throw new AssertionError("binary form of a parsed address does not decode", e);
    }
    exercise(m);
  }

  /** The accessors the dialer and identify use on a remote's address. */
  private static void exercise(Multiaddr m) {
    m.p2p().ifPresent(p -> {
      try {
        PeerId.fromBytes(p);
      } catch (DecodeException e) {
        throw new AssertionError("a /p2p/ value the address accepted is not a PeerId", e);
      }
    });
    // withoutP2p() drops the trailing /p2p/ components only (one may also sit in the middle)
    Multiaddr bare = m.withoutP2p();
    List<Multiaddr.Component> cs = bare.components();
    assertThat(cs.isEmpty() || cs.get(cs.size() - 1).protocol() != Multiaddr.Protocol.P2P).isTrue();
    if (m.isTcp() || m.isQuic()) {
      if (bare.components().get(0).protocol() == Multiaddr.Protocol.IP4
          || bare.components().get(0).protocol() == Multiaddr.Protocol.IP6) {
        assertThat(m.toSocketAddress().getPort()).isBetween(0, 65535);
      }
    }
  }
}
