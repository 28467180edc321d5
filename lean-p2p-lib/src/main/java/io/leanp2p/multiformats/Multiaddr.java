package io.leanp2p.multiformats;

/** PLACEHOLDER: replaced by the multiformats work (see the helper brief). */
public final class Multiaddr {
  private Multiaddr() {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
