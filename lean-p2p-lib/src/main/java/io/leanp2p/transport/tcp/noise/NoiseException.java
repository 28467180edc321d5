package io.leanp2p.transport.tcp.noise;

/** A Noise handshake or transport message failed (authentication, nonce exhausted, bad size). */
public final class NoiseException extends Exception {
  public NoiseException(String message) {
    super(message);
  }

  public NoiseException(String message, Throwable cause) {
    super(message, cause);
  }
}
