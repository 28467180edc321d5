package io.leanp2p.transport.quic;

import java.util.Map;

/**
 * An immutable snapshot of a {@link QuicTransport}'s counters, published by the event loop and
 * readable from any thread.
 *
 * @param dials dials started
 * @param dialsSucceeded dials that yielded a connection
 * @param dialsFailed dials that failed (any reason)
 * @param inboundAccepted inbound connections established
 * @param inboundRejected inbound connections closed at once (connection limit, transport closed)
 * @param handshakeFailures QUIC/TLS handshakes that failed, either direction
 * @param certRejections peer certificates rejected, by reason (PEER_ID_MISMATCH included)
 * @param idleTimeouts connections closed by the QUIC idle timeout
 * @param keepAliveProbes keep-alive probes issued
 * @param streamsOpened streams opened, either direction
 * @param pendingStreamsDropped inbound streams reset because too many waited for a handler
 * @param openConnections connections currently open
 * @param openStreams streams currently open
 * @param openUdpChannels UDP channels currently open (listeners + one per dial)
 */
public record QuicTransportStats(
    long dials,
    long dialsSucceeded,
    long dialsFailed,
    long inboundAccepted,
    long inboundRejected,
    long handshakeFailures,
    Map<CertificateRejectedException.Reason, Long> certRejections,
    long idleTimeouts,
    long keepAliveProbes,
    long streamsOpened,
    long pendingStreamsDropped,
    int openConnections,
    int openStreams,
    int openUdpChannels) {
  public QuicTransportStats {
    certRejections = Map.copyOf(certRejections);
  }

  /** Rejections of one reason (0 when none). */
  public long certRejections(CertificateRejectedException.Reason r) {
    return certRejections.getOrDefault(r, 0L);
  }
}
