package io.leanp2p.node;

import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.crypto.enr.Enr;
import io.leanp2p.util.DecodeException;

/** Turns what a host or a config gives as an address to dial — a multiaddr or an ENR — into a multiaddr. */
final class DialAddress {
  private DialAddress() {}

  /** A multiaddr as given, or an ENR's dial address (with {@code /p2p/}); the ENR's signature is verified. */
  static Multiaddr parse(String text) throws DecodeException {
    if (text.startsWith("enr:")) {
      return Enr.parseVerified(text)
          .dialMultiaddr()
          .orElseThrow(() -> DecodeException.malformed("ENR has no ip / udp or quic port to dial"));
    }
    return Multiaddr.parse(text);
  }
}
