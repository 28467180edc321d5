package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.swarm.Admission;
import io.leanp2p.node.swarm.ConnectedPeer;
import io.leanp2p.node.swarm.PeerTable;
import io.leanp2p.node.swarm.Swarm;
import io.leanp2p.node.swarm.SwarmListener;
import io.leanp2p.transport.CloseReason;
import io.leanp2p.transport.Direction;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Scheduler;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the peer table: tells the host when peers come and go and when dials fail,
 * keeps static peers (bootnodes, persistent dials) connected through the {@link PeerManager}, and
 * is the default {@link Admission} policy (at most {@code maxPeers} peers, static peers excepted;
 * no new peer while the host's peer-event queue is full). Loop thread only.
 */
final class PeerLifecycle implements SwarmListener, Admission {
  private static final Logger LOG = LoggerFactory.getLogger(PeerLifecycle.class);

  private final Swarm swarm;
  private final HostPort host;
  private final HostOutbox outbox;
  private final int maxPeers;
  private final Duration dialTimeout;
  private final PeerManager<PeerId, Multiaddr, CloseReason> statics;
  private boolean closed;

  PeerLifecycle(Swarm swarm, HostOutbox outbox, Scheduler sched, ReconnectPolicy reconnect, int maxPeers,
      Duration dialTimeout) {
    this.swarm = swarm;
    this.host = outbox;
    this.outbox = outbox;
    this.maxPeers = maxPeers;
    this.dialTimeout = dialTimeout;
    this.statics = new PeerManager<>(reconnect, sched, new PeerManager.Actions<>() {
      @Override
      public void dial(PeerId peer, Multiaddr address, int attempt) {
        swarm.dial(address, dialTimeout); // a failure comes back through dialFailed
      }

      @Override
      public void dialFailed(PeerId peer, Multiaddr address, int attempt, boolean willRetry, CloseReason reason) {
        host.peerEvent(new NetworkEvent.ConnectionFailed(peer, address, reason, attempt, willRetry));
      }

      @Override
      public void gaveUp(PeerId peer, Multiaddr address, int attempts) {
        LOG.warn("giving up on {} after {} dials", address, attempts);
        host.peerEvent(new NetworkEvent.DialGaveUp(peer, address, attempts));
      }
    });
  }

  /**
   * Dials the bootnodes: each entry on its own, so that one that cannot be parsed, resolved or
   * reached is one {@code ConnectionFailed} and never stops the others.
   */
  void dialBootnodes(List<String> bootnodes, PeerId self) {
    for (String b : bootnodes) {
      Multiaddr m;
      try {
        m = DialAddress.parse(b.trim());
      } catch (DecodeException | RuntimeException e) {
        LOG.warn("bad bootnode {}: {}", b, e.getMessage());
        host.peerEvent(new NetworkEvent.ConnectionFailed(null, null,
            CloseReason.of(CloseReason.Kind.REFUSED, "bad bootnode '" + b + "': " + e.getMessage()), 1, false));
        continue;
      }
      PeerId id = PeerId.fromMultiaddr(m).orElse(null);
      if (!self.equals(id)) {
        dial(m, id, id != null);
      }
    }
  }

  /** A host dial (or a bootnode): persistent ones (with a {@code /p2p/} id) are kept connected. */
  void dial(Multiaddr address, PeerId expected, boolean persistent) {
    if (persistent && expected != null) {
      statics.addStatic(expected, address, swarm.peers().isConnected(expected));
    } else {
      swarm.dial(address, dialTimeout);
    }
  }

  /** The host asked to drop the peer: it is no longer kept connected, and its connections close. */
  void disconnect(PeerId peer) {
    statics.removeStatic(peer);
    swarm.disconnect(peer, "host asked to disconnect");
  }

  void close() {
    closed = true;
    statics.close();
  }

  // ------------------------------------------------------------------ Admission

  @Override
  public Decision admit(PeerTable table, PeerId peer, Direction direction, Multiaddr remoteAddress) {
    if (outbox.peerQueueFull()) {
      return Decision.refuse("host is not draining its peer events");
    }
    if (table.size() >= maxPeers && !statics.isStatic(peer)) {
      return Decision.refuse("max peers (" + maxPeers + ") reached");
    }
    return Decision.ACCEPT;
  }

  // ------------------------------------------------------------------ SwarmListener

  @Override
  public void peerConnected(ConnectedPeer p) {
    host.peerEvent(new NetworkEvent.PeerConnected(p.peer(), p.address(), p.direction(), p.transport()));
    statics.connected(p.peer());
  }

  @Override
  public void peerDisconnected(ConnectedPeer p, CloseReason reason) {
    host.peerEvent(new NetworkEvent.PeerDisconnected(p.peer(), p.address(), p.direction(), reason));
    if (!closed) {
      statics.disconnected(p.peer());
    }
  }

  @Override
  public void dialFailed(Multiaddr address, PeerId expected, CloseReason reason) {
    if (expected == null || !statics.isStatic(expected)) {
      host.peerEvent(new NetworkEvent.ConnectionFailed(expected, address, reason, 1, false));
      return;
    }
    statics.dialFailed(expected, reason); // reports ConnectionFailed with the attempt and whether it retries
  }
}
