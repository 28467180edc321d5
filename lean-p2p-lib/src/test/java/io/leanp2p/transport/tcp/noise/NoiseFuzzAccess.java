package io.leanp2p.transport.tcp.noise;

/** Test-only access for the fuzz targets in {@code io.leanp2p.fuzz}: transport ciphers from a key. */
public final class NoiseFuzzAccess {
  private NoiseFuzzAccess() {}

  /** A fresh cipher state (nonce 0) over a 32-byte key, as {@code Split()} makes them. */
  public static CipherState cipher(byte[] key) {
    return new CipherState(key.clone());
  }
}
