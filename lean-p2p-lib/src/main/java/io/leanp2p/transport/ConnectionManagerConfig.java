package io.leanp2p.transport;

import java.time.Duration;

/**
 * Limits of a {@link ConnectionManager}.
 *
 * @param maxConnections live connections; new ones beyond are closed ({@code LOCAL_CLOSE:
 *     connection limit})
 * @param negotiationTimeout multistream-select timeout on inbound streams
 * @param requirePeerIdOnDial whether {@code dial} refuses addresses without {@code /p2p/<id>}
 */
public record ConnectionManagerConfig(
    int maxConnections, Duration negotiationTimeout, boolean requirePeerIdOnDial) {
  public static ConnectionManagerConfig defaults() {
    return new ConnectionManagerConfig(256, Duration.ofSeconds(10), false);
  }
}
