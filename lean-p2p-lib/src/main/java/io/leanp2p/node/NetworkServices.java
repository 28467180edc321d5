package io.leanp2p.node;

import io.leanp2p.codec.sszsnappy.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.EventDispatcher.EventClass;
import io.leanp2p.node.metrics.LatencyHistogram;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.protocol.gossipsub.GossipOutput;
import io.leanp2p.protocol.gossipsub.GossipProtocol;
import io.leanp2p.protocol.gossipsub.GossipRouter;
import io.leanp2p.protocol.gossipsub.GossipSnapshot;
import io.leanp2p.protocol.gossipsub.GossipStreams;
import io.leanp2p.protocol.gossipsub.PublishResult;
import io.leanp2p.protocol.gossipsub.ReceivedMessage;
import io.leanp2p.protocol.gossipsub.ValidationResult;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.protocol.reqresp.LeanProtocol;
import io.leanp2p.protocol.reqresp.ChannelOutcome;
import io.leanp2p.protocol.reqresp.ReqResp;
import io.leanp2p.protocol.reqresp.ReqRespListener;
import io.leanp2p.protocol.reqresp.RequestError;
import io.leanp2p.protocol.reqresp.RequestOutcome;
import io.leanp2p.transport.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionEvents;
import io.leanp2p.transport.ConnectionManager;
import io.leanp2p.transport.ConnectionManagerConfig;
import io.leanp2p.transport.Direction;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.Transport;
import io.leanp2p.transport.multistream.ProtocolHandler;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.transport.quic.QuicTransport;
import io.leanp2p.transport.tcp.TcpTransport;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.lang.reflect.RecordComponent;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a network owns, wired together, living on its event loop: transports, the connection
 * manager, multistream protocol registry, identify, ping, the gossipsub router and its streams,
 * req/resp, and the peer manager. Commands from {@link NetworkLoop} arrive as method calls;
 * component callbacks become host events through the loop's dispatcher. No locks: every method
 * runs on the loop thread.
 */
final class NetworkServices implements ConnectionEvents, GossipOutput, ReqRespListener {
  private static final Logger LOG = LoggerFactory.getLogger(NetworkServices.class);
  private static final Duration NEGOTIATION_TIMEOUT = Duration.ofSeconds(10);
  private static final long NEGOTIATION_TIMEOUT_MS = NEGOTIATION_TIMEOUT.toMillis();
  /** The connection manager's hard cap leaves room for static peers beyond {@code maxPeers}. */
  private static final int STATIC_PEER_HEADROOM = 16;
  /** How long close() waits for connections to close cleanly before tearing transports down. */
  private static final long CLOSE_GRACE_MS = 1_000;
  private static final long CLOSE_FLUSH_MS = 50;

  private final NetworkLoop owner;
  private final NetworkConfig config;
  private final String name;
  private final PeerId self;
  private final EventLoop loop;
  private final Scheduler scheduler;
  private final ProtocolRegistry registry = new ProtocolRegistry();
  private final List<Transport> transports = new ArrayList<>();
  private ConnectionManager connections; // set once in the constructor, after the transports
  private final GossipRouter router;
  private final GossipStreams gossipStreams;
  private final ReqResp reqresp;
  private final Identify identify;
  private Ping ping; // set once in the constructor, after the transports that use it for keep-alive
  private final PeerManager<PeerId, Multiaddr> peerManager;
  private final List<Multiaddr> listenAddresses = new ArrayList<>();

  /** Per connected peer: how many live connections and the first one's details. */
  private final Map<PeerId, PeerEntry> peers = new LinkedHashMap<>();
  /** Our in-flight requests: peer, protocol, handler, start time. */
  private final Map<Long, OpenRequest> requests = new HashMap<>();
  /** Inbound request channels: the peer that asked. */
  private final Map<Long, PeerId> channels = new HashMap<>();
  /** Channel commands waiting for a full per-channel write queue to drain, in order. */
  private final Map<Long, ArrayDeque<Command.Control>> overflow = new HashMap<>();

  private final EnumMap<LeanProtocol, LatencyHistogram> requestLatency = new EnumMap<>(LeanProtocol.class);
  private final Map<String, long[]> topicTraffic = new HashMap<>(); // [msgsIn, bytesIn, msgsOut, bytesOut]
  private long gossipShed;
  private long requestsShed;
  private long requestTimeouts;
  private long maxPeersRefused;
  private long publishDuplicates;
  private Scheduler.Cancellable snapshotTimer;
  private static final long SNAPSHOT_PERIOD_NANOS = 1_000_000_000L;
  private long snapshotDueNanos;
  /** How late the loop runs a timer: a turn that hogs the loop shows up here. */
  private final LatencyHistogram loopLag = new LatencyHistogram();
  private boolean closed;

  private static final class PeerEntry {
    final Connection first;
    int connections;

    PeerEntry(Connection first) {
      this.first = first;
    }
  }

  private record OpenRequest(PeerId peer, LeanProtocol protocol, NetworkListener handler, long startNanos) {}

  NetworkServices(
      NetworkLoop owner,
      NetworkConfig config,
      PrivateKey identity,
      PeerId self,
      EventLoop loop,
      Scheduler scheduler)
      throws StartException {
    this.owner = owner;
    this.config = config;
    this.name = config.name();
    this.self = self;
    this.loop = loop;
    this.scheduler = scheduler;
    boolean wantTcp = false;
    boolean wantQuic = false;
    for (String a : config.listenAddresses()) {
      Multiaddr m = parse(a, StartException.Reason.ADDRESS);
      wantTcp |= m.isTcp();
      wantQuic |= m.isQuic();
    }
    if (!wantTcp && !wantQuic) {
      wantTcp = true;
      wantQuic = true; // dial-only networks can still dial both
    }
    // a network can always dial both transports; it listens where it was told to. The transports
    // announce connections to the manager, which is built after them (it takes their list).
    Transport.ConnectionListener toManager = c -> this.connections.onConnection(c);
    transports.add(new TcpTransport(loop, identity, config.tcp(), toManager));
    // Netty's QUIC cannot send a QUIC PING: quiet connections are kept alive with libp2p pings
    transports.add(
        new QuicTransport(
            loop, identity, config.quic(), toManager, c -> this.ping.ping(c), new SecureRandom(), Clock.systemUTC()));
    this.connections =
        new ConnectionManager(
            self,
            transports,
            registry,
            scheduler,
            this,
            new ConnectionManagerConfig(config.maxPeers() + STATIC_PEER_HEADROOM, NEGOTIATION_TIMEOUT, false));
    this.identify = new Identify(identity, this::listenAddresses, registry, scheduler, NEGOTIATION_TIMEOUT.toMillis());
    identify.register();
    this.ping = new Ping(scheduler, new SecureRandom(), NEGOTIATION_TIMEOUT.toMillis());
    ping.register(registry);
    this.router = new GossipRouter(config.gossip(), scheduler, new SecureRandom(), this);
    this.gossipStreams = new GossipStreams(router);
    for (GossipProtocol p : GossipProtocol.values()) {
      registry.register(p.id(), (stream, leftover) -> onInboundGossipStream(p.id(), stream, leftover));
    }
    this.reqresp = new ReqResp(config.reqresp(), scheduler, this, this::openStream);
    for (LeanProtocol p : LeanProtocol.values()) {
      ProtocolHandler h = reqresp.inboundHandler(p);
      registry.register(p.id(), (stream, leftover) -> onInboundRequestStream(h, stream, leftover));
      requestLatency.put(p, new LatencyHistogram());
    }
    this.peerManager =
        new PeerManager<>(
            config.reconnect(),
            scheduler,
            new PeerManager.Actions<>() {
              @Override
              public void dial(PeerId peer, Multiaddr address, int attempt) {
                connections.dial(address, config.dialTimeout());
              }

              @Override
              public void dialFailed(PeerId peer, Multiaddr address, int attempt, boolean willRetry, String reason) {
                // reported with the retry flag in NetworkServices.dialFailed
              }

              @Override
              public void gaveUp(PeerId peer, Multiaddr address, int attempts) {
                LOG.warn("[{}] giving up on {} after {} dials", name, address, attempts);
                owner.emitPeer(new NetworkEvent.DialGaveUp(peer, address, attempts));
              }
            });
  }

  private static Multiaddr parse(String text, StartException.Reason reason) throws StartException {
    try {
      return LeanNetwork.parseDialable(text.trim());
    } catch (DecodeException | RuntimeException e) {
      throw new StartException(reason, "bad address '" + text + "': " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------ lifecycle

  CompletableFuture<List<Multiaddr>> start() throws StartException {
    List<CompletableFuture<Multiaddr>> binds = new ArrayList<>();
    for (String a : config.listenAddresses()) {
      Multiaddr m = parse(a, StartException.Reason.ADDRESS);
      CompletableFuture<Multiaddr> f = new CompletableFuture<>();
      connections.listen(m).addListener(fut -> {
        if (fut.isSuccess()) {
          f.complete(((Multiaddr) fut.getNow()).withP2p(self.toBytes()));
        } else {
          f.completeExceptionally(
              new StartException(StartException.Reason.BIND, "cannot listen on " + m + ": " + fut.cause(), fut.cause()));
        }
      });
      binds.add(f);
    }
    // bootnodes are parsed now so that a bad one fails start with a typed reason
    for (String b : config.bootnodes()) {
      parse(b, StartException.Reason.ADDRESS);
    }
    return CompletableFuture.allOf(binds.toArray(CompletableFuture[]::new))
        .thenApply(v -> {
          List<Multiaddr> out = new ArrayList<>();
          for (CompletableFuture<Multiaddr> f : binds) {
            out.add(f.join());
          }
          loop.execute(() -> listenAddresses.addAll(out));
          return List.copyOf(out);
        });
  }

  /** Loop thread, once ready: start the router's heartbeat, dial bootnodes, publish snapshots. */
  void afterReady() {
    router.start();
    for (String b : config.bootnodes()) {
      try {
        Multiaddr m = LeanNetwork.parseDialable(b.trim());
        PeerId id = PeerId.fromMultiaddr(m).orElse(null);
        if (id == null) {
          connections.dial(m, config.dialTimeout());
        } else if (!id.equals(self)) {
          peerManager.addStatic(id, m, peers.containsKey(id));
        }
      } catch (DecodeException e) {
        LOG.warn("[{}] skipping bad bootnode {}: {}", name, b, e.getMessage());
      }
    }
    snapshotDueNanos = scheduler.nanoTime() + SNAPSHOT_PERIOD_NANOS;
    snapshotTimer = scheduler.schedule(SNAPSHOT_PERIOD_NANOS, this::periodicSnapshot);
  }

  /** Every second: publish snapshots, and record how late the loop ran this timer (loop lag). */
  private void periodicSnapshot() {
    if (closed) {
      return;
    }
    long now = scheduler.nanoTime();
    loopLag.recordNanos(Math.max(0, now - snapshotDueNanos));
    owner.publishSnapshot();
    snapshotDueNanos = now + SNAPSHOT_PERIOD_NANOS;
    snapshotTimer = scheduler.schedule(SNAPSHOT_PERIOD_NANOS, this::periodicSnapshot);
  }

  List<Multiaddr> listenAddresses() {
    return List.copyOf(listenAddresses);
  }

  /**
   * Closes everything: timers, router, req/resp (every in-flight request gets its one terminal
   * event), then every connection — waiting (bounded) until they are closed so that the remote
   * gets our CONNECTION_CLOSE / FIN — and finally listeners and transports. Loop thread; the
   * future completes on the loop when all is released.
   */
  CompletableFuture<Void> close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.complete(null);
      return done;
    }
    closed = true;
    if (snapshotTimer != null) {
      snapshotTimer.cancel();
    }
    if (gossipPauseTimer != null) {
      gossipPauseTimer.cancel();
    }
    peerManager.close();
    router.stop();
    reqresp.close();
    for (long ch : List.copyOf(channels.keySet())) {
      owner.channelFinished(ch);
    }
    channels.clear();
    overflow.clear();
    for (PeerId p : List.copyOf(peers.keySet())) {
      gossipStreams.detach(p);
    }
    List<Connection> open = new ArrayList<>(connections.connections());
    LOG.debug("[{}] closing {} connection(s)", name, open.size());
    int[] remaining = {open.size()};
    Runnable finish = () -> {
      if (!done.isDone()) {
        connections.close(); // listeners and transports (and anything that raced in)
        done.complete(null);
      }
    };
    if (open.isEmpty()) {
      finish.run();
      return done;
    }
    Scheduler.Cancellable guard = scheduler.scheduleMillis(CLOSE_GRACE_MS, finish);
    for (Connection c : open) {
      c.closeFuture().addListener(f -> {
        if (--remaining[0] == 0) {
          guard.cancel();
          // let the last CONNECTION_CLOSE / FIN datagrams leave before the sockets close
          scheduler.scheduleMillis(CLOSE_FLUSH_MS, finish);
        }
      });
      c.close("shutdown");
    }
    return done;
  }

  // ------------------------------------------------------------------ commands (loop thread)

  void publish(Command.Publish command) {
    Command.Publish p = command.prepared(config.gossip().maxPayloadSize());
    String topic = p.topic();
    byte[] wire = p.bytes();
    PublishResult r = router.publish(topic, wire, p.messageId());
    long[] t = traffic(topic);
    if (r.accepted()) {
      t[2]++;
      t[3] += wire.length;
    } else {
      publishDuplicates++;
    }
    if (config.publishEvents()) {
      owner.emitResponse(
          null, new NetworkEvent.PublishCompleted(topic, r.messageId(), r.recipients(), !r.accepted()));
    }
  }

  void subscribe(String topic) {
    router.subscribe(topic);
    owner.publishSnapshot();
  }

  void unsubscribe(String topic) {
    router.unsubscribe(topic);
    owner.publishSnapshot();
  }

  void sendRequest(Command.SendRequest r) {
    if (!peers.containsKey(r.peer())) {
      owner.requestFailed(r.requestId(), r.peer(), r.protocol(), r.handler(),
          new RequestError(RequestError.Kind.NOT_CONNECTED, null, -1, "peer not connected"));
      return;
    }
    requests.put(r.requestId(), new OpenRequest(r.peer(), r.protocol(), r.handler(), scheduler.nanoTime()));
    RequestOutcome o = reqresp.request(r.requestId(), r.peer(), r.protocol(), r.ssz());
    if (o != RequestOutcome.ACCEPTED) {
      requests.remove(r.requestId());
      owner.requestFailed(r.requestId(), r.peer(), r.protocol(), r.handler(),
          new RequestError(RequestError.Kind.PROTOCOL_VIOLATION, null, -1, "request refused: " + o));
    }
  }

  void dial(Multiaddr address, PeerId expected, boolean persistent) {
    if (persistent && expected != null) {
      peerManager.addStatic(expected, address, peers.containsKey(expected));
    } else {
      connections.dial(address, config.dialTimeout());
    }
  }

  void disconnect(PeerId peer) {
    peerManager.removeStatic(peer);
    connections.connection(peer).ifPresent(c -> c.close("host asked to disconnect"));
  }

  void ping(PeerId peer) {
    PeerEntry e = peers.get(peer);
    if (e == null) {
      owner.emitPeer(new NetworkEvent.PingResult(peer, -1, "peer not connected"));
      return;
    }
    ping.ping(e.first).addListener(f -> {
      if (f.isSuccess()) {
        owner.emitPeer(new NetworkEvent.PingResult(peer, ((Duration) f.getNow()).toNanos(), null));
      } else {
        owner.emitPeer(new NetworkEvent.PingResult(peer, -1, String.valueOf(f.cause())));
      }
    });
  }

  /**
   * Hands a chunk to req/resp. Its per-channel write queue is bounded; when it is full the chunk
   * (and what follows on the channel) waits here, in order, until the channel drains — bounded by
   * the host's per-channel credit ({@code maxPendingChunksPerChannel}), never dropped.
   */
  void responseChunk(long channelId, byte[] ssz) {
    ArrayDeque<Command.Control> waiting = overflow.get(channelId);
    if (waiting != null) {
      waiting.add(new Command.ResponseChunk(channelId, ssz));
      return;
    }
    ChannelOutcome o = reqresp.sendChunk(channelId, ssz);
    if (o == ChannelOutcome.QUEUE_FULL) {
      ArrayDeque<Command.Control> q = new ArrayDeque<>();
      q.add(new Command.ResponseChunk(channelId, ssz));
      overflow.put(channelId, q);
      return;
    }
    owner.releaseChunk(channelId);
    if (o != ChannelOutcome.OK) {
      LOG.debug("[{}] chunk on channel {} refused: {}", name, channelId, o);
      channelGone(channelId, "chunk refused: " + o);
    }
  }

  void endResponse(long channelId) {
    ArrayDeque<Command.Control> waiting = overflow.get(channelId);
    if (waiting != null) {
      waiting.add(new Command.EndResponse(channelId));
      return;
    }
    ChannelOutcome o = reqresp.endResponse(channelId);
    channelGone(channelId, o == ChannelOutcome.OK ? null : "end refused: " + o);
  }

  void errorResponse(long channelId, ResponseCode code, String message) {
    ArrayDeque<Command.Control> waiting = overflow.get(channelId);
    if (waiting != null) {
      waiting.add(new Command.ErrorResponse(channelId, code, message));
      return;
    }
    ChannelOutcome o = reqresp.sendError(channelId, code, message);
    channelGone(channelId, o == ChannelOutcome.OK ? null : "error response refused: " + o);
  }

  @Override
  public void onChannelDrained(long channelId) {
    ArrayDeque<Command.Control> q = overflow.remove(channelId);
    while (q != null && !q.isEmpty()) {
      Command.Control c = q.poll();
      switch (c) {
        case Command.ResponseChunk rc -> {
          ChannelOutcome o = reqresp.sendChunk(channelId, rc.ssz());
          if (o == ChannelOutcome.QUEUE_FULL) {
            q.addFirst(rc);
            overflow.put(channelId, q);
            return;
          }
          owner.releaseChunk(channelId);
          if (o != ChannelOutcome.OK) {
            channelGone(channelId, "chunk refused: " + o);
            return;
          }
        }
        case Command.EndResponse e -> endResponse(channelId);
        case Command.ErrorResponse e -> errorResponse(channelId, e.code(), e.message());
        default -> throw new IllegalStateException("not a channel command: " + c);
      }
    }
  }

  private void channelGone(long channelId, String why) {
    overflow.remove(channelId);
    PeerId p = channels.remove(channelId);
    owner.channelFinished(channelId);
    if (why != null && p != null) {
      owner.emitPeer(new NetworkEvent.ResponseChannelClosed(channelId, p, why));
    }
  }

  void reportValidation(byte[] messageId, Validation v) {
    router.reportValidation(
        messageId,
        switch (v) {
          case ACCEPT -> ValidationResult.ACCEPT;
          case REJECT -> ValidationResult.REJECT;
          case IGNORE -> ValidationResult.IGNORE;
        });
  }

  /** The host drained a backlog: read again from the streams that feed it. */
  void resumeReads(EventClass c) {
    switch (c) {
      case GOSSIP -> {
        gossipShedding = false;
        if (gossipPauseTimer != null) {
          gossipPauseTimer.cancel();
          gossipPauseTimer = null;
        }
        pauseGossip(false);
      }
      case INBOUND_REQUEST -> pauseRequests(false);
      default -> {}
    }
  }

  // ------------------------------------------------------------------ connection events

  @Override
  public void connected(Connection c) {
    PeerId peer = c.remotePeer();
    PeerEntry e = peers.get(peer);
    if (e == null) {
      if (peers.size() >= config.maxPeers() && !peerManager.isStatic(peer)) {
        maxPeersRefused++;
        c.close("max peers (" + config.maxPeers() + ") reached");
        return;
      }
      e = new PeerEntry(c);
      peers.put(peer, e);
      e.connections = 1;
      peerManager.connected(peer);
      owner.publishSnapshot(); // before the event: a host reacting to it sees the peer connected
      owner.emitPeer(new NetworkEvent.PeerConnected(peer, c.remoteAddress(), c.direction(), c.transport()));
      openGossipStream(c);
    } else {
      e.connections++;
    }
  }

  @Override
  public void disconnected(Connection c, CloseReason reason) {
    PeerId peer = c.remotePeer();
    PeerEntry e = peers.get(peer);
    if (e == null) {
      return;
    }
    if (--e.connections > 0) {
      return;
    }
    peers.remove(peer);
    router.removePeer(peer);
    gossipStreams.detach(peer);
    inboundGossip.remove(peer);
    reqresp.peerDisconnected(peer);
    owner.publishSnapshot();
    owner.emitPeer(new NetworkEvent.PeerDisconnected(peer, e.first.remoteAddress(), e.first.direction(), reason));
    if (!closed) {
      peerManager.disconnected(peer);
    }
  }

  @Override
  public void dialFailed(Multiaddr addr, PeerId expected, CloseReason reason) {
    boolean isStatic = expected != null && peerManager.isStatic(expected);
    owner.emitPeer(new NetworkEvent.ConnectionFailed(expected, addr, reason, 1, isStatic));
    if (isStatic) {
      peerManager.dialFailed(expected, reason.toString());
    }
  }

  private void openGossipStream(Connection c) {
    StreamNegotiator.open(
        c,
        List.of(GossipProtocol.V1_2.id(), GossipProtocol.V1_1.id()),
        scheduler,
        NEGOTIATION_TIMEOUT_MS,
        new StreamNegotiator.SelectCallback() {
          @Override
          public void selected(MuxedStream st, String protocol, ByteBuf leftover) {
            leftover.release();
            if (closed || !c.isOpen()) {
              st.reset();
              return;
            }
            // the stream first, then the router: adding a peer sends our subscriptions at once
            gossipStreams.attachOutbound(c.remotePeer(), st);
            router.addPeer(c.remotePeer(), protocol, c.direction(), ipOf(c.remoteAddress()));
          }

          @Override
          public void failed(MuxedStream st, String reason) {
            LOG.debug("[{}] no gossipsub stream to {}: {}", name, c.remotePeer(), reason);
          }
        });
  }

  private void openStream(PeerId peer, String protocolId, StreamNegotiator.SelectCallback cb) {
    PeerEntry e = peers.get(peer);
    if (e == null || !e.first.isOpen()) {
      cb.failed(null, "NOT_CONNECTED: no connection to " + peer);
      return;
    }
    StreamNegotiator.open(e.first, List.of(protocolId), scheduler, NEGOTIATION_TIMEOUT_MS, cb);
  }

  private static String ipOf(Multiaddr a) {
    try {
      InetSocketAddress s = a.toSocketAddress();
      return s.getAddress().getHostAddress();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }

  // ------------------------------------------------------------------ gossip output

  @Override
  public void send(PeerId to, io.leanp2p.codec.gossip.Rpc rpc) {
    gossipStreams.send(to, rpc);
  }

  @Override
  public void deliver(ReceivedMessage m) {
    long[] t = traffic(m.topic());
    t[0]++;
    t[1] += m.wireData().length;
    NetworkEvent.GossipMessage ev =
        new NetworkEvent.GossipMessage(m.topic(), m.ssz(), m.wireData(), m.messageId(), m.propagationSource());
    if (!owner.offerGossip(ev)) {
      gossipShed++;
      router.reportValidation(m.messageId(), ValidationResult.IGNORE);
      return;
    }
    if (!gossipPaused && !gossipShedding && owner.aboveHighWatermark(EventClass.GOSSIP)) {
      pauseGossip(true);
      owner.markPaused(EventClass.GOSSIP);
      // a gossip stream must not stall for long (control messages ride on it too): after
      // gossipMaxPause, read again and shed what the host has no room for
      gossipPauseTimer = scheduler.schedule(config.gossipMaxPause().toNanos(), () -> {
        gossipPauseTimer = null;
        if (gossipPaused && !closed) {
          gossipShedding = true;
          pauseGossip(false);
        }
      });
    }
  }

  @Override
  public void graft(PeerId peer, String topic) {
    owner.emitPeer(new NetworkEvent.MeshChange(peer, topic, true));
  }

  @Override
  public void prune(PeerId peer, String topic) {
    owner.emitPeer(new NetworkEvent.MeshChange(peer, topic, false));
  }

  @Override
  public void peerSubscription(PeerId peer, String topic, boolean subscribed) {
    owner.emitPeer(new NetworkEvent.PeerSubscription(peer, topic, subscribed));
  }

  // ------------------------------------------------------------------ req/resp listener

  @Override
  public void onResponseChunk(long requestId, byte[] ssz) {
    OpenRequest r = requests.get(requestId);
    if (r == null) {
      return;
    }
    owner.emitResponse(r.handler(), new NetworkEvent.ResponseChunk(requestId, r.peer(), r.protocol(), ssz));
  }

  @Override
  public void onEndOfStream(long requestId) {
    OpenRequest r = requests.remove(requestId);
    if (r == null) {
      return;
    }
    requestLatency.get(r.protocol()).recordNanos(scheduler.nanoTime() - r.startNanos());
    owner.requestEnded(requestId, r.peer(), r.protocol(), r.handler());
  }

  @Override
  public void onRequestFailed(long requestId, RequestError error) {
    OpenRequest r = requests.remove(requestId);
    if (r == null) {
      return;
    }
    if (error.kind() == RequestError.Kind.TIMEOUT) {
      requestTimeouts++;
    }
    owner.requestFailed(requestId, r.peer(), r.protocol(), r.handler(), error);
  }

  @Override
  public void onInboundRequest(long channelId, PeerId peer, LeanProtocol protocol, byte[] ssz) {
    channels.put(channelId, peer);
    if (!owner.offerInboundRequest(new NetworkEvent.InboundRequest(channelId, peer, protocol, ssz))) {
      requestsShed++;
      channels.remove(channelId);
      reqresp.sendError(channelId, ResponseCode.RESOURCE_UNAVAILABLE, "host busy");
      return;
    }
    if (!requestsPaused && owner.aboveHighWatermark(EventClass.INBOUND_REQUEST)) {
      pauseRequests(true);
      owner.markPaused(EventClass.INBOUND_REQUEST);
    }
  }

  @Override
  public void onChannelClosed(long channelId, String reason) {
    overflow.remove(channelId);
    PeerId p = channels.remove(channelId);
    owner.channelFinished(channelId);
    if (p != null) {
      owner.emitPeer(new NetworkEvent.ResponseChannelClosed(channelId, p, reason));
    }
  }

  // ------------------------------------------------------------------ snapshots and metrics

  /** Every long component of a counters record becomes a counter (snake_case name). */
  private static void recordCounters(MetricsSnapshot.Builder b, String prefix, String help, Record counters) {
    for (RecordComponent rc : counters.getClass().getRecordComponents()) {
      if (rc.getType() != long.class && rc.getType() != int.class) {
        continue;
      }
      try {
        Number v = (Number) rc.getAccessor().invoke(counters);
        String snake = rc.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
        if (rc.getType() == long.class) {
          b.counter(prefix + snake + "_total", help, Map.of(), v.longValue());
        } else {
          b.gauge(prefix + snake, help, Map.of(), v.doubleValue());
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // ------------------------------------------------------------------ backpressure

  private final Map<PeerId, MuxedStream> inboundGossip = new HashMap<>();
  private final List<MuxedStream> pausedRequestStreams = new ArrayList<>();
  private boolean gossipPaused;
  private boolean gossipShedding;
  private Scheduler.Cancellable gossipPauseTimer;
  private boolean requestsPaused;

  private void onInboundGossipStream(String protocol, MuxedStream stream, ByteBuf leftover) {
    PeerId peer = stream.connection().remotePeer();
    // the router must know the peer before its first RPC is read (its subscriptions): the peer's
    // stream may be negotiated before ours to it (as in the core branch's GossipService)
    Connection c = stream.connection();
    if (peers.containsKey(peer)) {
      router.addPeer(peer, protocol, c.direction(), ipOf(c.remoteAddress()));
    }
    inboundGossip.put(peer, stream);
    if (gossipPaused) {
      stream.setReadPaused(true);
    }
    gossipStreams.attachInbound(peer, stream, leftover);
  }

  private void onInboundRequestStream(ProtocolHandler h, MuxedStream stream, ByteBuf leftover) {
    if (requestsPaused && pausedRequestStreams.size() < 4096) {
      stream.setReadPaused(true);
      pausedRequestStreams.add(stream);
    }
    h.onStream(stream, leftover);
  }

  /** Stops (or resumes) reading every inbound gossip stream: the remote's window fills up. */
  private void pauseGossip(boolean pause) {
    gossipPaused = pause;
    for (MuxedStream s : inboundGossip.values()) {
      s.setReadPaused(pause);
    }
  }

  private void pauseRequests(boolean pause) {
    requestsPaused = pause;
    if (!pause) {
      for (MuxedStream s : pausedRequestStreams) {
        s.setReadPaused(false);
      }
      pausedRequestStreams.clear();
    }
  }

  private long[] traffic(String topic) {
    return topicTraffic.computeIfAbsent(topic, t -> new long[4]);
  }

  NetworkSnapshot snapshot() {
    GossipSnapshot g = router.refreshSnapshot();
    Map<String, List<PeerId>> topicPeers = new HashMap<>();
    g.peerTopics().forEach((peer, topics) -> {
      for (String t : topics) {
        topicPeers.computeIfAbsent(t, k -> new ArrayList<>()).add(peer);
      }
    });
    List<NetworkSnapshot.PeerInfo> list = new ArrayList<>();
    for (Map.Entry<PeerId, PeerEntry> e : peers.entrySet()) {
      Connection c = e.getValue().first;
      list.add(new NetworkSnapshot.PeerInfo(e.getKey(), c.remoteAddress(), c.direction(), c.transport()));
    }
    return new NetworkSnapshot(
        self, List.copyOf(listenAddresses), List.copyOf(list), Set.copyOf(g.subscriptions()), Map.copyOf(g.mesh()),
        Map.copyOf(topicPeers), System.nanoTime());
  }

  MetricsSnapshot metrics() {
    MetricsSnapshot.Builder b = new MetricsSnapshot.Builder();
    Map<String, String> none = Map.of();
    CommandLanes<Command> lanes = owner.lanes();
    for (CommandLanes.Lane lane : CommandLanes.Lane.values()) {
      Map<String, String> l = Map.of("lane", lane.name().toLowerCase());
      b.gauge("leanp2p_command_queue_depth", "commands waiting in a lane", l, lanes.depth(lane));
      b.gauge("leanp2p_command_queue_capacity", "capacity of a lane", l, lanes.capacity(lane));
      b.counter("leanp2p_commands_accepted_total", "commands accepted per lane", l, lanes.acceptedCount(lane));
    }
    owner.refusalCounts().forEach((k, v) -> {
      if (k != Outcome.Kind.ACCEPTED) {
        b.counter("leanp2p_command_refusals_total", "host commands refused, by reason",
            Map.of("reason", k.name().toLowerCase()), v);
      }
    });
    EventDispatcher<Object> d = owner.dispatcher();
    for (EventClass c : EventClass.values()) {
      Map<String, String> l = Map.of("class", c.name().toLowerCase());
      b.gauge("leanp2p_event_queue_depth", "events waiting for the host", l, d.depth(c));
      b.counter("leanp2p_events_delivered_total", "events delivered to the host", l, d.delivered(c));
    }
    b.counter("leanp2p_events_shed_total", "events shed by rule", Map.of("class", "gossip"), gossipShed);
    b.counter("leanp2p_events_shed_total", "events shed by rule", Map.of("class", "inbound_request"), requestsShed);
    b.counter("leanp2p_listener_failures_total", "host listener exceptions", none, d.listenerFailures());
    Map<String, Integer> byDir = new HashMap<>();
    for (PeerEntry e : peers.values()) {
      byDir.merge(e.first.direction().wireName() + "/" + e.first.transport().name().toLowerCase(), 1, Integer::sum);
    }
    for (Direction dir : Direction.values()) {
      for (io.leanp2p.transport.TransportKind k : io.leanp2p.transport.TransportKind.values()) {
        String key = dir.wireName() + "/" + k.name().toLowerCase();
        b.gauge("leanp2p_peers", "connected peers", Map.of("direction", dir.wireName(), "transport", k.name().toLowerCase()),
            byDir.getOrDefault(key, 0));
      }
    }
    b.counter("leanp2p_max_peers_refused_total", "connections closed at the peer limit", none, maxPeersRefused);
    GossipSnapshot g = router.snapshot();
    g.mesh().forEach((topic, m) -> b.gauge("leanp2p_mesh_peers", "mesh peers per topic", Map.of("topic", topic), m.size()));
    topicTraffic.forEach((topic, t) -> {
      b.counter("leanp2p_gossip_messages_total", "gossip messages", Map.of("topic", topic, "dir", "in"), t[0]);
      b.counter("leanp2p_gossip_bytes_total", "gossip wire bytes", Map.of("topic", topic, "dir", "in"), t[1]);
      b.counter("leanp2p_gossip_messages_total", "gossip messages", Map.of("topic", topic, "dir", "out"), t[2]);
      b.counter("leanp2p_gossip_bytes_total", "gossip wire bytes", Map.of("topic", topic, "dir", "out"), t[3]);
    });
    b.counter("leanp2p_publish_duplicates_total", "publishes of an already seen message", none, publishDuplicates);
    recordCounters(b, "leanp2p_gossipsub_", "gossipsub router counter", g.counters());
    recordCounters(b, "leanp2p_gossip_streams_", "gossipsub stream counter", gossipStreams.counters());
    requestLatency.forEach((p, h) ->
        b.histogram("leanp2p_request_latency_seconds", "request to end of stream", Map.of("protocol", p.name().toLowerCase()), h));
    b.counter("leanp2p_request_timeouts_total", "our requests that timed out", none, requestTimeouts);
    recordCounters(b, "leanp2p_reqresp_", "req/resp counter", reqresp.snapshot());
    b.histogram("leanp2p_loop_lag_seconds", "how late the event loop ran its 1 s timer (turn time)", none, loopLag);
    b.gauge("leanp2p_loop_pending_tasks", "tasks queued on the event loop", none,
        loop instanceof io.netty.util.concurrent.SingleThreadEventExecutor s ? s.pendingTasks() : -1);
    return b.build();
  }
}
