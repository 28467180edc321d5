package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.node.swarm.PeerTable;
import io.leanp2p.node.swarm.Service;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * libp2p ping as a service: echoes the remotes' pings and measures the host's pings on the peer's
 * live connection at that moment; each host ping ends with one {@code PingResult}. (QUIC's
 * keep-alive probes use {@link Ping} directly, per connection, inside the transport.) Loop thread.
 */
final class PingService implements Service {
  private final Ping ping;
  private final PeerTable peers;
  private final HostPort host;

  PingService(Ping ping, PeerTable peers, HostPort host) {
    this.ping = ping;
    this.peers = peers;
    this.host = host;
  }

  /** The host's ping: the answer is a {@link NetworkEvent.PingResult}. */
  void ping(PeerId peer) {
    Optional<Connection> live = peers.connection(peer);
    if (live.isEmpty()) {
      host.peerEvent(new NetworkEvent.PingResult(peer, -1, "peer not connected"));
      return;
    }
    ping.ping(live.get()).addListener(f -> host.peerEvent(f.isSuccess()
        ? new NetworkEvent.PingResult(peer, ((Duration) f.getNow()).toNanos(), null)
        : new NetworkEvent.PingResult(peer, -1, String.valueOf(f.cause()))));
  }

  @Override
  public List<String> protocols() {
    return List.of(Ping.PROTOCOL);
  }

  @Override
  public void onInboundStream(String protocol, MuxedStream stream, ByteBuf leftover) {
    ping.responder().onStream(stream, leftover);
  }

  @Override
  public void metrics(MetricsSnapshot.Builder b) {
    b.counter("leanp2p_pings_served_total", "pings we echoed", Map.of(), ping.served());
  }
}
