package io.leanp2p.node;

import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.EventDispatcher.EventClass;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.node.swarm.ConnectedPeer;
import io.leanp2p.node.swarm.PeerTable;
import io.leanp2p.node.swarm.Service;
import io.leanp2p.config.GossipConfig;
import io.leanp2p.protocol.gossipsub.GossipOutput;
import io.leanp2p.protocol.gossipsub.GossipProtocol;
import io.leanp2p.protocol.gossipsub.GossipRouter;
import io.leanp2p.protocol.gossipsub.GossipSnapshot;
import io.leanp2p.protocol.gossipsub.GossipStreams;
import io.leanp2p.protocol.gossipsub.PublishResult;
import io.leanp2p.protocol.gossipsub.GossipMessage;
import io.leanp2p.types.Validation;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gossipsub as a service: the router, its streams (we read the stream a peer opens and write on
 * the one we open, reopened on the survivor when the duplicate rule swaps a peer's connection),
 * the host's publish / subscribe / validation commands, and the router's output turned into host
 * events. When the host falls behind on gossip (its queue above 3/4) every inbound gossip stream
 * stops being read, for at most {@code gossipMaxPause} (control messages ride on those streams);
 * then reading resumes and what the host has no room for is IGNOREd (counted) until it drains
 * below 1/4. Loop thread only.
 */
final class GossipService implements Service, GossipOutput {
  private static final Logger LOG = LoggerFactory.getLogger(GossipService.class);

  private final GossipRouter router;
  private final GossipStreams streams;
  private final PeerTable peers;
  private final HostPort host;
  private final Scheduler sched;
  private final Duration maxPause;
  private final boolean publishEvents;
  private final Map<PeerId, MuxedStream> inbound = new HashMap<>();
  /** Per topic: messages in, bytes in, messages out, bytes out. */
  private final Map<String, long[]> traffic = new HashMap<>();
  private boolean paused;
  private boolean shedding;
  private Scheduler.Cancellable pauseTimer;
  private long publishDuplicates;
  private long publishTooLarge;
  private boolean closed;

  GossipService(
      GossipConfig cfg,
      Scheduler sched,
      Random random,
      PeerTable peers,
      HostPort host,
      Duration maxPause,
      boolean publishEvents) {
    this.router = new GossipRouter(cfg, sched, random, this);
    this.streams = new GossipStreams(router);
    this.peers = peers;
    this.host = host;
    this.sched = sched;
    this.maxPause = maxPause;
    this.publishEvents = publishEvents;
  }

  void start() {
    router.start();
  }

  void close() {
    closed = true;
    if (pauseTimer != null) {
      pauseTimer.cancel();
    }
    router.stop();
    for (PeerId p : Set.copyOf(inbound.keySet())) {
      streams.detach(p);
    }
    for (PeerId p : streams.outboundPeers()) {
      streams.detach(p);
    }
  }

  /** The peer's gossipsub score now (0 for a peer the router does not know). */
  double score(PeerId peer) {
    return router.score(peer);
  }

  /** A fresh picture of the router (our topics, meshes, the peers' topics). */
  GossipSnapshot snapshot() {
    return router.refreshSnapshot();
  }

  // ------------------------------------------------------------------ commands

  void publish(Command.Publish command) {
    Command.Publish p = command.prepared(router.config().maxPayloadSize());
    PublishResult r = router.publish(p.topic(), p.bytes(), p.messageId());
    switch (r.status()) {
      case ACCEPTED -> {
        long[] t = traffic(p.topic());
        t[2]++;
        t[3] += p.bytes().length;
      }
      case DUPLICATE -> publishDuplicates++;
      default -> publishTooLarge++; // the host side refuses these up front (TOO_LARGE)
    }
    if (publishEvents) {
      host.publishCompleted(new NetworkEvent.PublishCompleted(
          p.topic(), p.messageId(), r.recipients(), r.status() == PublishResult.Status.DUPLICATE));
    }
  }

  void subscribe(String topic) {
    router.subscribe(topic);
  }

  void unsubscribe(String topic) {
    router.unsubscribe(topic);
  }

  void reportValidation(byte[] messageId, Validation v) {
    router.reportValidation(messageId, v);
  }

  /** The host drained its gossip queue below 1/4: read every gossip stream again, stop shedding. */
  void resume() {
    shedding = false;
    if (pauseTimer != null) {
      pauseTimer.cancel();
      pauseTimer = null;
    }
    pauseReads(false);
  }

  // ------------------------------------------------------------------ Service

  @Override
  public List<String> protocols() {
    return GossipProtocol.idsByPreference();
  }

  @Override
  public void onInboundStream(String protocol, MuxedStream stream, ByteBuf leftover) {
    PeerId peer = stream.connection().remotePeer();
    // the router must know the peer before its first RPC is read (its subscriptions, its GRAFTs):
    // the peer's stream may be here before ours to it is negotiated
    peers.peer(peer).ifPresent(p -> router.addPeer(peer, protocol, p.direction(), ipOf(p.address())));
    inbound.put(peer, stream);
    if (paused) {
      stream.setReadPaused(true);
    }
    streams.attachInbound(peer, stream, leftover);
  }

  @Override
  public void onPeerConnected(ConnectedPeer peer) {
    openOutbound(peer.peer());
  }

  @Override
  public void onConnectionReplaced(ConnectedPeer peer) {
    openOutbound(peer.peer()); // our writes move to a stream on the survivor
  }

  @Override
  public void onPeerDisconnected(PeerId peer, CloseReason reason) {
    router.removePeer(peer);
    streams.detach(peer);
    inbound.remove(peer);
  }

  /**
   * Opens our gossip stream to {@code peer} on its live connection. A stream that is selected after
   * the peer's connection was swapped again is dropped: the swap opened a newer one.
   */
  private void openOutbound(PeerId peer) {
    peers.openStream(peer, GossipProtocol.idsByPreference(), new StreamNegotiator.SelectCallback() {
      @Override
      public void selected(MuxedStream st, String protocol, ByteBuf leftover) {
        leftover.release();
        if (closed || peers.connection(peer).orElse(null) != st.connection()) {
          st.reset();
          return;
        }
        ConnectedPeer now = peers.peer(peer).orElseThrow();
        // the stream first, then the router: adding a peer sends our subscriptions at once
        streams.attachOutbound(peer, st);
        router.addPeer(peer, protocol, now.direction(), ipOf(now.address()));
      }

      @Override
      public void failed(MuxedStream st, String reason) {
        LOG.debug("no gossipsub stream to {}: {}", peer, reason);
      }
    });
  }

  private static String ipOf(Multiaddr a) {
    try {
      InetSocketAddress s = a.toSocketAddress();
      return s.getAddress().getHostAddress();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }

  @Override
  public void metrics(MetricsSnapshot.Builder b) {
    GossipSnapshot g = router.snapshot();
    Set<PeerId> meshPeers = new HashSet<>();
    g.mesh().forEach((topic, m) -> {
      b.gauge("leanp2p_mesh_peers", "mesh peers per topic", Map.of("topic", topic), m.size());
      meshPeers.addAll(m);
    });
    Map<String, Integer> byClient = new TreeMap<>();
    for (PeerId p : meshPeers) {
      byClient.merge(peers.clientOf(p), 1, Integer::sum);
    }
    if (byClient.isEmpty()) {
      b.gauge("lean_gossip_mesh_peers", "Number of peers in the gossipsub mesh", Map.of("client", "unknown"), 0);
    }
    byClient.forEach((client, n) ->
        b.gauge("lean_gossip_mesh_peers", "Number of peers in the gossipsub mesh", Map.of("client", client), n));
    traffic.forEach((topic, t) -> {
      b.counter("leanp2p_gossip_messages_total", "gossip messages", Map.of("topic", topic, "dir", "in"), t[0]);
      b.counter("leanp2p_gossip_bytes_total", "gossip wire bytes", Map.of("topic", topic, "dir", "in"), t[1]);
      b.counter("leanp2p_gossip_messages_total", "gossip messages", Map.of("topic", topic, "dir", "out"), t[2]);
      b.counter("leanp2p_gossip_bytes_total", "gossip wire bytes", Map.of("topic", topic, "dir", "out"), t[3]);
    });
    b.counter("leanp2p_publish_duplicates_total", "publishes of an already seen message", Map.of(), publishDuplicates);
    b.counter("leanp2p_publish_too_large_total", "publishes the router refused as too large", Map.of(), publishTooLarge);
    MetricsCounters.record(b, "leanp2p_gossipsub_", "gossipsub router counter", g.counters());
    MetricsCounters.record(b, "leanp2p_gossip_streams_", "gossipsub stream counter", streams.counters());
  }

  // ------------------------------------------------------------------ GossipOutput (the router)

  @Override
  public void send(PeerId to, Rpc rpc) {
    streams.send(to, rpc);
  }

  @Override
  public void deliver(GossipMessage m) {
    long[] t = traffic(m.topic());
    t[0]++;
    t[1] += m.wireData().length;
    if (!host.gossip(new NetworkEvent.GossipMessage(m.topic(), m.data(), m.wireData(), m.messageId(), m.from()))) {
      router.reportValidation(m.messageId(), Validation.IGNORE); // shed (counted by the dispatcher)
      return;
    }
    if (!paused && !shedding && host.backlogged(EventClass.GOSSIP)) {
      pauseReads(true);
      host.markPaused(EventClass.GOSSIP);
      pauseTimer = sched.schedule(maxPause.toNanos(), () -> {
        pauseTimer = null;
        if (paused && !closed) {
          shedding = true; // read again: control messages must flow; the overflow is IGNOREd
          pauseReads(false);
        }
      });
    }
  }

  @Override
  public void graft(PeerId peer, String topic) {
    host.peerEvent(new NetworkEvent.MeshChange(peer, topic, true));
  }

  @Override
  public void prune(PeerId peer, String topic) {
    host.peerEvent(new NetworkEvent.MeshChange(peer, topic, false));
  }

  @Override
  public void peerSubscription(PeerId peer, String topic, boolean subscribed) {
    host.peerEvent(new NetworkEvent.PeerSubscription(peer, topic, subscribed));
  }

  private void pauseReads(boolean pause) {
    paused = pause;
    for (MuxedStream s : inbound.values()) {
      s.setReadPaused(pause);
    }
  }

  private long[] traffic(String topic) {
    return traffic.computeIfAbsent(topic, k -> new long[4]);
  }
}
