package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.EventDispatcher.EventClass;
import io.leanp2p.node.metrics.LatencyHistogram;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.node.swarm.ConnectedPeer;
import io.leanp2p.node.swarm.Swarm;
import io.leanp2p.protocol.gossipsub.GossipSnapshot;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Builds what other threads may read about a network — the {@link NetworkSnapshot} (peers,
 * topics, meshes) and the {@link MetricsSnapshot} (the lanes, the event queues, the refusals, the
 * peer table, every service, the loop's lag) — and publishes them on the {@link SnapshotBoard},
 * stamped with the state version of the events queued so far. Loop thread only.
 */
final class Telemetry {
  private final PeerId self;
  private final Swarm swarm;
  private final GossipService gossip;
  private final CommandLanes<Command> lanes;
  private final HostOutbox outbox;
  private final CommandGate gate;
  private final SnapshotBoard board;
  private final EventLoop loop;
  private final Supplier<List<Multiaddr>> listenAddresses;
  /** Samples of the parts below the swarm and beside it (peer policy, admission, channel errors). */
  private final java.util.function.Consumer<MetricsSnapshot.Builder> more;
  /** How late the loop ran its 1 s tick: a turn that hogs the loop shows up here. */
  private final LatencyHistogram loopLag = new LatencyHistogram();

  Telemetry(PeerId self, Swarm swarm, GossipService gossip, Supplier<List<Multiaddr>> listenAddresses,
      CommandLanes<Command> lanes, HostOutbox outbox, CommandGate gate, SnapshotBoard board, EventLoop loop,
      java.util.function.Consumer<MetricsSnapshot.Builder> more) {
    this.more = more;
    this.self = self;
    this.swarm = swarm;
    this.gossip = gossip;
    this.listenAddresses = listenAddresses;
    this.lanes = lanes;
    this.outbox = outbox;
    this.gate = gate;
    this.board = board;
    this.loop = loop;
  }

  void recordLoopLag(long lateNanos) {
    loopLag.recordNanos(Math.max(0, lateNanos));
  }

  /** Builds and publishes both pictures. */
  void publish() {
    long version = outbox.stateVersion();
    board.publish(snapshot(), metrics(), version);
  }

  /** Builds and publishes the network snapshot only (after state events; metrics keep their 1 s beat). */
  void publishSnapshot() {
    long version = outbox.stateVersion();
    board.publish(snapshot(), version);
  }

  private NetworkSnapshot snapshot() {
    GossipSnapshot g = gossip.snapshot();
    Map<String, List<PeerId>> topicPeers = new HashMap<>();
    g.peerTopics().forEach((peer, topics) -> {
      for (String t : topics) {
        topicPeers.computeIfAbsent(t, k -> new ArrayList<>()).add(peer);
      }
    });
    List<NetworkSnapshot.PeerInfo> peers = new ArrayList<>();
    for (ConnectedPeer p : swarm.peers().peers()) {
      peers.add(new NetworkSnapshot.PeerInfo(p.peer(), p.address(), p.direction(), p.transport()));
    }
    return new NetworkSnapshot(self, listenAddresses.get(), List.copyOf(peers), Set.copyOf(g.subscriptions()),
        Map.copyOf(g.mesh()), Map.copyOf(topicPeers), System.nanoTime());
  }

  private MetricsSnapshot metrics() {
    MetricsSnapshot.Builder b = new MetricsSnapshot.Builder();
    for (CommandLanes.Lane lane : CommandLanes.Lane.values()) {
      Map<String, String> l = Map.of("lane", lane.name().toLowerCase());
      b.gauge("leanp2p_command_queue_depth", "commands waiting in a lane", l, lanes.depth(lane));
      b.gauge("leanp2p_command_queue_capacity", "capacity of a lane", l, lanes.capacity(lane));
      b.counter("leanp2p_commands_accepted_total", "commands accepted per lane", l, lanes.acceptedCount(lane));
    }
    gate.refusalCounts().forEach((k, v) -> {
      if (k != Outcome.Kind.ACCEPTED) {
        b.counter("leanp2p_command_refusals_total", "host commands refused, by reason",
            Map.of("reason", k.name().toLowerCase()), v);
      }
    });
    EventDispatcher<Object> d = outbox.dispatcher();
    for (EventClass c : EventClass.values()) {
      Map<String, String> l = Map.of("class", c.name().toLowerCase());
      b.gauge("leanp2p_event_queue_depth", "events waiting for the host", l, d.depth(c));
      b.gauge("leanp2p_event_queue_capacity", "events the host may fall behind by", l, d.capacity(c));
      b.counter("leanp2p_events_delivered_total", "events delivered to the host", l, d.delivered(c));
      b.counter("leanp2p_events_shed_total", "events shed by rule (queue full)", l, d.shed(c));
    }
    b.counter("leanp2p_listener_failures_total", "host listener exceptions", Map.of(), d.listenerFailures());
    swarm.metrics(b);
    more.accept(b);
    b.histogram("leanp2p_loop_lag_seconds", "how late the event loop ran its 1 s timer (turn time)", Map.of(), loopLag);
    b.gauge("leanp2p_loop_pending_tasks", "tasks queued on the event loop", Map.of(),
        loop instanceof SingleThreadEventExecutor s ? s.pendingTasks() : -1);
    return b.build();
  }
}
