package io.leanp2p.transport.multistream;

import io.leanp2p.transport.MuxedStream;
import io.netty.buffer.ByteBuf;

/**
 * Serves one protocol on inbound streams once multistream-select has chosen it. Called on the
 * connection's event loop.
 */
@FunctionalInterface
public interface ProtocolHandler {
  /**
   * The stream now speaks this handler's protocol. {@code leftover} holds the bytes that arrived
   * together with the negotiation and belong to the protocol; the handler owns it (it may be
   * empty) and must release it. The handler installs its {@link io.leanp2p.transport.StreamHandler}
   * before returning.
   */
  void onStream(MuxedStream stream, ByteBuf leftover);
}
