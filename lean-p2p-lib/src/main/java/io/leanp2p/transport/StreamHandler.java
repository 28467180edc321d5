package io.leanp2p.transport;

import io.netty.buffer.ByteBuf;

/**
 * Callbacks of one {@link MuxedStream}. Every callback runs on the connection's event loop (the
 * network's single owner thread), so implementations need no locks.
 */
public interface StreamHandler {
  /**
   * Bytes arrived. The handler now owns {@code data} and must release it. For Yamux, returning
   * from this call is what credits the bytes back to the remote's send window (unless reading is
   * paused, in which case bytes stay buffered and uncredited until resumed).
   */
  void onData(MuxedStream stream, ByteBuf data);

  /** The remote half-closed (FIN): no more data will arrive; we may still write. */
  default void onRemoteClose(MuxedStream stream) {}

  /** The stream was reset by either side or its connection went away; it is unusable. */
  default void onReset(MuxedStream stream, String reason) {}

  /** {@link MuxedStream#isWritable()} changed. */
  default void onWritabilityChanged(MuxedStream stream) {}

  /** Terminal and called once: the stream is fully closed (FIN both ways, or reset). */
  default void onClosed(MuxedStream stream) {}
}
