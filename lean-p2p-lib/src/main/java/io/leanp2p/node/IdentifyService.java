package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.node.swarm.ConnectedPeer;
import io.leanp2p.node.swarm.PeerTable;
import io.leanp2p.node.swarm.Service;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.identify.IdentifyInfo;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libp2p identify as a service: answers the remotes' identify streams and asks every new peer who
 * it is, on its live connection at that moment. What it learns (the agent version, the {@code
 * client} of the lean metrics) goes into the {@link PeerTable}. When an attempt fails while the
 * peer stays connected (for instance because it ran on the loser of the duplicate rule), it is
 * retried on the live connection, at most {@link #MAX_ATTEMPTS} times. Loop thread only.
 */
final class IdentifyService implements Service {
  private static final Logger LOG = LoggerFactory.getLogger(IdentifyService.class);
  static final int MAX_ATTEMPTS = 3;

  private final Identify identify;
  private final PeerTable peers;
  private final Set<PeerId> identified = new HashSet<>();
  private final Set<PeerId> inFlight = new HashSet<>();
  private final Map<PeerId, Integer> attempts = new HashMap<>();
  private long succeeded;
  private long failed;

  IdentifyService(Identify identify, PeerTable peers) {
    this.identify = identify;
    this.peers = peers;
  }

  @Override
  public List<String> protocols() {
    return List.of(Identify.PROTOCOL);
  }

  @Override
  public void onInboundStream(String protocol, MuxedStream stream, ByteBuf leftover) {
    identify.responder().onStream(stream, leftover);
  }

  @Override
  public void onPeerConnected(ConnectedPeer peer) {
    ask(peer.peer());
  }

  @Override
  public void onConnectionReplaced(ConnectedPeer peer) {
    ask(peer.peer());
  }

  @Override
  public void onPeerDisconnected(PeerId peer, CloseReason reason) {
    identified.remove(peer);
    inFlight.remove(peer);
    attempts.remove(peer);
  }

  private void ask(PeerId peer) {
    if (identified.contains(peer) || inFlight.contains(peer) || attempts.getOrDefault(peer, 0) >= MAX_ATTEMPTS) {
      return;
    }
    Optional<Connection> live = peers.connection(peer);
    if (live.isEmpty()) {
      return;
    }
    inFlight.add(peer);
    attempts.merge(peer, 1, Integer::sum);
    identify.identify(live.get()).addListener(f -> {
      if (!inFlight.remove(peer)) {
        return; // the peer left meanwhile
      }
      if (f.isSuccess()) {
        succeeded++;
        identified.add(peer);
        peers.noteAgent(peer, ((IdentifyInfo) f.getNow()).agentVersion());
      } else {
        failed++;
        LOG.debug("identify of {} failed: {}", peer, f.cause().toString());
        ask(peer); // on the live connection, if any attempt is left
      }
    });
  }

  @Override
  public void metrics(MetricsSnapshot.Builder b) {
    b.counter("leanp2p_identify_total", "identify exchanges we started", Map.of("result", "ok"), succeeded);
    b.counter("leanp2p_identify_total", "identify exchanges we started", Map.of("result", "failed"), failed);
    b.counter("leanp2p_identify_bad_addresses_total", "undecodable addresses in identify messages", Map.of(),
        identify.badAddresses());
  }
}
