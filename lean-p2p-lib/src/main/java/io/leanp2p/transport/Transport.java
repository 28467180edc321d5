package io.leanp2p.transport;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import io.leanp2p.types.TransportKind;

/**
 * One transport (TCP or QUIC) of one network. It lives on the network's event loop: every channel
 * it creates registers there. New connections, inbound or outbound, are announced to the {@link
 * ConnectionListener} given at construction once they are secured and multiplexed.
 */
public interface Transport extends AutoCloseable {
  TransportKind kind();

  /** Whether this transport can dial / listen on the address (e.g. {@code /tcp/} vs {@code /quic-v1}). */
  boolean handles(Multiaddr addr);

  /** Starts listening; the future yields the bound address (port resolved, no {@code /p2p/}). */
  Future<Multiaddr> listen(Multiaddr addr);

  /**
   * Dials {@code addr}. When {@code expected} is non-null (from {@code /p2p/<id>}), a different
   * proven PeerId fails the dial with {@link CloseReason.Kind#PEER_ID_MISMATCH}. Failures complete
   * the future with a {@link ConnectionException}.
   */
  Future<Connection> dial(Multiaddr addr, PeerId expected, Duration timeout);

  /** Closes listeners and every connection of this transport; idempotent. */
  @Override
  void close();

  /** Receives every new secured connection of a transport (on the event loop). */
  @FunctionalInterface
  interface ConnectionListener {
    void onConnection(Connection connection);
  }
}
