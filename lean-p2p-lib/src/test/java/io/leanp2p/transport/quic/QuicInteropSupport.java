package io.leanp2p.transport.quic;

import io.leanp2p.transport.Connection;

/** Test helpers from this package for the interop tests. */
public final class QuicInteropSupport {
  private QuicInteropSupport() {}

  /** Streams currently open on the QUIC connection {@code c} (read on the loop). */
  public static int openStreams(Connection c) {
    return ((QuicConnection) c).openStreams();
  }
}
