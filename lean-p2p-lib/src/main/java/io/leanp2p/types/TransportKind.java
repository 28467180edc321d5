package io.leanp2p.types;

/** The two transports lean-p2p speaks. */
public enum TransportKind {
  /** TCP + multistream + Noise XX + multistream + Yamux. */
  TCP,
  /** QUIC v1 + libp2p TLS 1.3 (ALPN "libp2p"); streams are native QUIC streams. */
  QUIC
}
