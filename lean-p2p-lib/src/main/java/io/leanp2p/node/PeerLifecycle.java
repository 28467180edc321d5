package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.node.swarm.Admission;
import io.leanp2p.node.swarm.ConnectedPeer;
import io.leanp2p.node.swarm.PeerTable;
import io.leanp2p.node.swarm.Swarm;
import io.leanp2p.node.swarm.SwarmListener;
import io.leanp2p.types.CloseReason;
import io.leanp2p.types.Direction;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the peer table: tells the host when peers come and go and when dials fail,
 * keeps static peers (bootnodes, persistent dials) connected through the {@link PeerManager}, and
 * is the swarm's {@link Admission}: no new peer while the host's peer-event queue is full, else
 * what the {@link PeerPolicy} says (budgets, newcomers, graylist bans); every tick it disconnects
 * the peers the policy wants gone (silent past the grace, graylisted). Loop thread only.
 */
final class PeerLifecycle implements SwarmListener, Admission {
  private static final Logger LOG = LoggerFactory.getLogger(PeerLifecycle.class);

  private final Swarm swarm;
  private final HostPort host;
  private final Duration dialTimeout;
  private final PeerManager<PeerId, Multiaddr, CloseReason> statics;
  private final Scheduler sched;
  private final PeerPolicy policy;
  private final java.util.Set<String> trafficProtocols;
  private long refusedHostBehind;
  private boolean closed;

  /**
   * @param score the peer's gossipsub score now
   * @param graylistThreshold gossipsub's graylist threshold (the policy disconnects below it)
   * @param trafficProtocols the protocols whose inbound bytes count as a peer taking part (gossipsub
   *     and req/resp)
   */
  PeerLifecycle(Swarm swarm, HostPort host, Scheduler sched, ReconnectPolicy reconnect, int maxPeers,
      Duration dialTimeout, PeerPolicyConfig policyConfig, ToDoubleFunction<PeerId> score, double graylistThreshold,
      java.util.Collection<String> trafficProtocols) {
    this.swarm = swarm;
    this.trafficProtocols = java.util.Set.copyOf(trafficProtocols);
    this.sched = sched;
    this.host = host;
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
    this.policy = new PeerPolicy(policyConfig, maxPeers, graylistThreshold, new PeerPolicy.View() {
      @Override
      public Iterable<PeerId> peers() {
        List<PeerId> out = new ArrayList<>(swarm.peers().size());
        for (ConnectedPeer p : swarm.peers().peers()) {
          out.add(p.peer());
        }
        return out;
      }

      @Override
      public int size() {
        return swarm.peers().size();
      }

      @Override
      public Direction direction(PeerId peer) {
        return swarm.peers().peer(peer).map(ConnectedPeer::direction).orElse(Direction.INBOUND);
      }

      @Override
      public boolean isStatic(PeerId peer) {
        return statics.isStatic(peer);
      }

      @Override
      public double score(PeerId peer) {
        return score.applyAsDouble(peer);
      }
    });
  }

  /** Every second: disconnects the peers the policy wants gone (silent past the grace, graylisted). */
  void tick() {
    if (closed) {
      return;
    }
    for (PeerPolicy.Disconnect d : policy.tick(sched.nanoTime())) {
      LOG.debug("disconnecting {}: {}", d.peer(), d.reason());
      swarm.disconnect(d.peer(), d.reason());
    }
  }

  /** The policy's refusals, evictions and bans. */
  void metrics(MetricsSnapshot.Builder b) {
    PeerPolicy.Counters c = policy.counters();
    b.counter("leanp2p_peers_refused_total", "new peers refused by the peer policy, by reason",
        Map.of("reason", "host_behind"), refusedHostBehind);
    for (PeerPolicy.Reason r : PeerPolicy.Reason.values()) {
      String label = r.name().toLowerCase(java.util.Locale.ROOT);
      if (r == PeerPolicy.Reason.GRAYLISTED || r == PeerPolicy.Reason.FULL) {
        b.counter("leanp2p_peers_refused_total", "new peers refused by the peer policy, by reason",
            Map.of("reason", label), c.refused().getOrDefault(r, 0L));
      } else {
        b.counter("leanp2p_peers_evicted_total", "peers disconnected by the peer policy, by reason",
            Map.of("reason", label), c.evicted().getOrDefault(r, 0L));
      }
    }
    b.gauge("leanp2p_peers_banned", "peers kept out after a graylist disconnect", Map.of(), c.banned());
    b.gauge("leanp2p_peers_max_inbound", "the inbound budget (share of max peers)", Map.of(), policy.maxInbound());
  }

  /** The policy itself (tests). */
  PeerPolicy policy() {
    return policy;
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
    if (host.peerQueueFull()) {
      refusedHostBehind++;
      return Decision.refuse("host is not draining its peer events");
    }
    PeerPolicy.Verdict v = policy.admit(peer, direction, statics.isStatic(peer), sched.nanoTime());
    return switch (v.kind()) {
      case ACCEPT -> Decision.ACCEPT;
      case REFUSE -> Decision.refuse(v.reason());
      case EVICT -> {
        LOG.debug("{} takes the place of {}: {}", peer, v.evict(), v.reason());
        yield Decision.evict(v.evict(), v.reason());
      }
    };
  }

  @Override
  public void onTraffic(PeerId peer, String protocol) {
    // gossipsub and req/resp count; identify and ping are what an idle sybil can answer for free
    if (trafficProtocols.contains(protocol)) {
      policy.spoke(peer);
    }
  }

  // ------------------------------------------------------------------ SwarmListener

  @Override
  public void peerConnected(ConnectedPeer p) {
    policy.connected(p.peer(), sched.nanoTime());
    host.peerEvent(new NetworkEvent.PeerConnected(p.peer(), p.address(), p.direction(), p.transport()));
    statics.connected(p.peer());
  }

  @Override
  public void peerDisconnected(ConnectedPeer p, CloseReason reason) {
    policy.disconnected(p.peer());
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
