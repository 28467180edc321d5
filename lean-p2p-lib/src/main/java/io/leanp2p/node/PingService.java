package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.node.swarm.PeerTable;
import io.leanp2p.node.swarm.Service;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.util.Scheduler;
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
  private final Scheduler sched;
  private final PeerTable peers;
  private final HostPort host;
  private boolean closing;

  PingService(Ping ping, Scheduler sched, PeerTable peers, HostPort host) {
    this.ping = ping;
    this.sched = sched;
    this.peers = peers;
    this.host = host;
  }

  /**
   * The host's ping: the answer is a {@link NetworkEvent.PingResult}. A ping that failed because
   * its connection closed while the peer stays connected on another (a duplicate the remote closed)
   * is sent once more on the live one, as requests are.
   */
  void ping(PeerId peer) {
    ping(peer, false);
  }

  private void ping(PeerId peer, boolean again) {
    Optional<Connection> live = peers.connection(peer);
    if (live.isEmpty()) {
      host.peerEvent(new NetworkEvent.PingResult(peer, -1, "peer not connected"));
      return;
    }
    Connection used = live.get();
    ping.ping(used).addListener(f -> {
      if (f.isSuccess()) {
        host.peerEvent(new NetworkEvent.PingResult(peer, ((Duration) f.getNow()).toNanos(), null));
      } else if (!again && !closing && !used.isOpen()) {
        // after the tasks already queued: the swarm first learns that the connection closed
        sched.schedule(0, () -> {
          if (peers.connection(peer).filter(c -> c != used).isPresent()) {
            ping(peer, true);
          } else {
            host.peerEvent(new NetworkEvent.PingResult(peer, -1, String.valueOf(f.cause())));
          }
        });
      } else {
        host.peerEvent(new NetworkEvent.PingResult(peer, -1, String.valueOf(f.cause())));
      }
    });
  }

  /** The network is closing: a failing ping ends at once (no retry a closing loop might not run). */
  void close() {
    closing = true;
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
