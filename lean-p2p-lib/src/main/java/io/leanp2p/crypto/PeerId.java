package io.leanp2p.crypto;

/** PLACEHOLDER: replaced by the crypto work (see the helper brief). */
public final class PeerId {
  private PeerId() {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
