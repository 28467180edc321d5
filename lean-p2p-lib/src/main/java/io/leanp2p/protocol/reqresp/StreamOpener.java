package io.leanp2p.protocol.reqresp;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.transport.multistream.StreamNegotiator;

/**
 * Opens an outbound stream to a peer and negotiates a protocol on it; implemented by the node
 * (connection lookup + {@code openStream()} + {@link StreamNegotiator#select}). Called on the
 * network's event loop.
 *
 * <p>Contract: call exactly one of the callback's methods, once, on the loop (synchronously or
 * later). {@code selected} hands over the negotiated stream and the leftover bytes; {@code
 * failed(stream, reason)} means negotiation failed on an opened stream; {@code failed(null,
 * reason)} means no stream could be opened at all (no connection to the peer, connection closed,
 * stream limit), which {@link ReqResp} reports as {@link RequestError.Kind#NOT_CONNECTED}.
 */
@FunctionalInterface
public interface StreamOpener {
  void open(PeerId peer, String protocolId, StreamNegotiator.SelectCallback cb);
}
