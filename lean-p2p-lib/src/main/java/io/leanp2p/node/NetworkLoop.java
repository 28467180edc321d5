package io.leanp2p.node;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.codec.sszsnappy.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.EventDispatcher.EventClass;
import io.leanp2p.node.metrics.LatencyHistogram;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.protocol.reqresp.LeanProtocol;
import io.leanp2p.protocol.reqresp.RequestError;
import io.leanp2p.transport.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.EventLoops;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Scheduler;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The actor behind a {@link LeanNetwork}: one event-loop thread owns every piece of mutable network
 * state ({@link NetworkServices}: transports, connections, router, req/resp, peer manager). This
 * class is the boundary: the caller-side half (argument checks, lanes, outcomes) runs on host
 * threads and touches only thread-safe fields; the loop-side half runs only on {@link #loop}.
 */
final class NetworkLoop {
  private static final Logger LOG = LoggerFactory.getLogger(NetworkLoop.class);

  enum State {
    STARTING,
    RUNNING,
    CLOSING,
    CLOSED
  }

  // ------------------------------------------------------------ shared (thread-safe) state
  private final NetworkConfig config;
  private final String name;
  private final PrivateKey identity;
  private final PeerId self;
  private final MultiThreadIoEventLoopGroup group;
  private final EventLoop loop;
  private final Scheduler scheduler;
  private final CommandLanes<Command> lanes;
  private final EventDispatcher<Object> events;
  private final CompletableFuture<List<Multiaddr>> ready = new CompletableFuture<>();
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final AtomicLong nextRequestId = new AtomicLong(1);
  /** Our in-flight requests per peer: claimed on the caller thread, released by the loop. */
  private final ConcurrentHashMap<PeerId, AtomicInteger> inflight = new ConcurrentHashMap<>();
  /**
   * Response channels the host may still answer on (added and removed by the loop), each with the
   * number of the host's chunks not yet taken by the stream's bounded write queue: the host's
   * credit. Past {@code maxPendingChunksPerChannel} a chunk is refused QUEUE_FULL on the caller's
   * thread instead of being accepted and then dropped.
   */
  private final ConcurrentHashMap<Long, AtomicInteger> openChannels = new ConcurrentHashMap<>();
  private final EnumMap<Outcome.Kind, LongAdder> refusals = new EnumMap<>(Outcome.Kind.class);
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile NetworkSnapshot snapshot;
  private volatile MetricsSnapshot metrics = new MetricsSnapshot(List.of());

  // ------------------------------------------------------------ loop-owned state
  private NetworkServices services;

  /** An event for one request's own handler rather than the network listener. */
  record Routed(NetworkListener handler, NetworkEvent event) {}

  private NetworkLoop(NetworkConfig config, NetworkListener listener) {
    this.config = config;
    this.name = config.name();
    this.identity =
        config.identity() != null ? config.identity() : Secp256k1PrivateKey.generate(new SecureRandom());
    this.self = PeerId.fromPublicKey(identity.publicKey());
    this.snapshot = NetworkSnapshot.empty(self);
    for (Outcome.Kind k : Outcome.Kind.values()) {
      refusals.put(k, new LongAdder());
    }
    this.group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("lean-p2p-" + name + "-loop", true), EventLoops.ioHandlerFactory());
    this.loop = (EventLoop) group.next();
    this.scheduler = Scheduler.of(loop);
    this.lanes =
        new CommandLanes<>(
            config.controlLaneCapacity(),
            config.bulkLaneCapacity(),
            config.drainBatch(),
            loop::execute,
            this::handle);
    int[] caps = new int[EventClass.values().length];
    caps[EventClass.PEER.ordinal()] = Integer.MAX_VALUE;
    caps[EventClass.RESPONSE.ordinal()] = 16_384;
    caps[EventClass.INBOUND_REQUEST.ordinal()] = config.inboundRequestQueueCapacity();
    caps[EventClass.GOSSIP.ordinal()] = config.gossipQueueCapacity();
    Runnable[] resume = new Runnable[EventClass.values().length];
    resume[EventClass.GOSSIP.ordinal()] = () -> withServices(s -> s.resumeReads(EventClass.GOSSIP));
    resume[EventClass.INBOUND_REQUEST.ordinal()] =
        () -> withServices(s -> s.resumeReads(EventClass.INBOUND_REQUEST));
    resume[EventClass.RESPONSE.ordinal()] = () -> withServices(s -> s.resumeReads(EventClass.RESPONSE));
    this.events =
        new EventDispatcher<>(
            name,
            e -> {
              if (MDC.get(MDC_KEY) == null) {
                MDC.put(MDC_KEY, name);
              }
              if (e instanceof Routed r) {
                r.handler().onEvent(r.event());
              } else {
                listener.onEvent((NetworkEvent) e);
              }
            },
            new DefaultThreadFactory("lean-p2p-" + name + "-events", true),
            loop::execute,
            caps,
            resume);
  }

  static NetworkLoop start(NetworkConfig config, NetworkListener listener) {
    NetworkLoop n = new NetworkLoop(config, listener);
    // every log line written on the loop (transports, protocols, router) carries the network's
    // name as MDC key "network" (the CLI's log pattern prints it)
    n.loop.execute(() -> MDC.put(MDC_KEY, n.name));
    n.loop.execute(n::startOnLoop);
    return n;
  }

  /** The SLF4J MDC key holding the network's name on its threads. */
  static final String MDC_KEY = "network";

  private void withServices(java.util.function.Consumer<NetworkServices> action) {
    if (services != null && state.get() == State.RUNNING) {
      action.accept(services);
    }
  }

  // =================================================================== caller side (any thread)

  String name() {
    return name;
  }

  PeerId localPeerId() {
    return self;
  }

  CompletableFuture<List<Multiaddr>> ready() {
    return ready;
  }

  NetworkSnapshot snapshot() {
    return snapshot;
  }

  MetricsSnapshot metrics() {
    return metrics;
  }

  /** Counts and returns a refusal. */
  Outcome refuse(Outcome o) {
    refusals.get(o.kind()).increment();
    return o;
  }

  Outcome checkPayload(byte[] ssz) {
    if (ssz == null) {
      return Outcome.invalid("payload is null");
    }
    if (ssz.length > config.maxPayload()) {
      return Outcome.invalid("payload of " + ssz.length + " bytes exceeds " + config.maxPayload());
    }
    return null;
  }

  /** The gossip payload limit (decompressed bytes) the router applies. */
  int gossipPayloadLimit() {
    return config.gossip().maxPayloadSize();
  }

  Outcome checkTopic(String topic) {
    if (topic == null || topic.isEmpty()) {
      return Outcome.invalid("empty topic");
    }
    if (topic.length() > 256) {
      return Outcome.invalid("topic longer than 256 characters");
    }
    return null;
  }

  Outcome checkChannel(long channelId) {
    return openChannels.containsKey(channelId) ? null : Outcome.invalid("unknown or finished channel " + channelId);
  }

  /** Caller thread: takes one unit of the channel's chunk credit, or says why not. */
  Outcome claimChunk(long channelId, Duration maxWait) {
    AtomicInteger pending = openChannels.get(channelId);
    if (pending == null) {
      return refuse(Outcome.invalid("unknown or finished channel " + channelId));
    }
    int max = config.maxPendingChunksPerChannel();
    long deadline = System.nanoTime() + maxWait.toNanos();
    long pause = 1_000;
    while (true) {
      int c = pending.get();
      if (c < max) {
        if (pending.compareAndSet(c, c + 1)) {
          return null;
        }
        continue;
      }
      if (maxWait.isZero() || System.nanoTime() - deadline >= 0) {
        return refuse(Outcome.QUEUE_FULL);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, 1_000_000);
      if (!openChannels.containsKey(channelId)) {
        return refuse(Outcome.invalid("unknown or finished channel " + channelId));
      }
    }
  }

  /** Gives back a chunk credit (the chunk was taken by the stream's queue, or refused). */
  void releaseChunk(long channelId) {
    AtomicInteger pending = openChannels.get(channelId);
    if (pending != null) {
      pending.decrementAndGet();
    }
  }

  private Outcome stateOutcome() {
    return switch (state.get()) {
      case STARTING -> Outcome.NOT_STARTED;
      case RUNNING -> null;
      case CLOSING, CLOSED -> Outcome.CLOSED;
    };
  }

  Outcome submit(Command c, Duration maxWait) {
    Outcome s = stateOutcome();
    if (s != null) {
      return refuse(s);
    }
    CommandLanes.Lane lane = c instanceof Command.Control ? CommandLanes.Lane.CONTROL : CommandLanes.Lane.BULK;
    boolean ok =
        maxWait.isZero() ? lanes.offer(lane, c) : lanes.offer(lane, c, maxWait.toNanos());
    return ok ? Outcome.ACCEPTED : refuse(Outcome.QUEUE_FULL);
  }

  RequestHandle sendRequest(
      PeerId peer, LeanProtocol protocol, byte[] ssz, NetworkListener handler, Duration maxWait) {
    Outcome bad = null;
    if (peer == null) {
      bad = Outcome.invalid("peer is null");
    } else if (protocol == null) {
      bad = Outcome.invalid("protocol is null");
    } else {
      bad = checkPayload(ssz);
    }
    if (bad == null) {
      bad = stateOutcome();
    }
    if (bad == null && !snapshot.isConnected(peer)) {
      bad = Outcome.NOT_CONNECTED;
    }
    if (bad != null) {
      return new RequestHandle(refuse(bad), 0);
    }
    AtomicInteger count = inflight.computeIfAbsent(peer, p -> new AtomicInteger());
    int max = config.reqresp().maxConcurrentPerPeer();
    while (true) {
      int c = count.get();
      if (c >= max) {
        return new RequestHandle(refuse(Outcome.TOO_MANY_REQUESTS), 0);
      }
      if (count.compareAndSet(c, c + 1)) {
        break;
      }
    }
    long id = nextRequestId.getAndIncrement();
    Command cmd = new Command.SendRequest(id, peer, protocol, ssz.clone(), handler);
    Outcome o = submit(cmd, maxWait);
    if (!o.isAccepted()) {
      count.decrementAndGet(); // the id is skipped, never reused
      return new RequestHandle(o, 0);
    }
    return new RequestHandle(o, id);
  }

  /** Idempotent; returns when everything is released. */
  void close() {
    State prev = state.getAndUpdate(s -> s == State.CLOSED ? s : State.CLOSING);
    if (prev == State.CLOSING || prev == State.CLOSED) {
      closed.join();
      return;
    }
    ready.completeExceptionally(new StartException(StartException.Reason.CLOSED, "closed", null));
    try {
      CompletableFuture<Void> released = new CompletableFuture<>();
      loop.execute(() -> closeOnLoop(released));
      released.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("[{}] close on loop did not finish cleanly: {}", name, e.toString());
    }
    events.close(5_000);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    state.set(State.CLOSED);
    closed.complete(null);
  }

  // =================================================================== loop side

  private void startOnLoop() {
    try {
      services = new NetworkServices(this, config, identity, self, loop, scheduler);
      services.start()
          .whenComplete(
              (addrs, err) ->
                  loop.execute(
                      () -> {
                        if (err != null) {
                          Throwable cause =
                              err instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                                  ? ce.getCause()
                                  : err;
                          StartException se =
                              cause instanceof StartException s
                                  ? s
                                  : new StartException(StartException.Reason.INTERNAL, cause.toString(), cause);
                          LOG.error("[{}] start failed: {}", name, se.getMessage());
                          ready.completeExceptionally(se);
                          return;
                        }
                        if (state.compareAndSet(State.STARTING, State.RUNNING)) {
                          publishSnapshot();
                          LOG.info("[{}] ready as {} on {}", name, self, addrs);
                          ready.complete(addrs);
                          services.afterReady();
                        }
                      }));
    } catch (StartException e) {
      ready.completeExceptionally(e);
    } catch (RuntimeException e) {
      ready.completeExceptionally(new StartException(StartException.Reason.INTERNAL, e.toString(), e));
    }
  }

  /** Every command, in one exhaustive switch. Loop thread. */
  private void handle(Command c) {
    NetworkServices s = services;
    if (s == null || state.get() != State.RUNNING) {
      abandon(c);
      return;
    }
    try {
      switch (c) {
        case Command.Publish p -> s.publish(p);
        case Command.Subscribe sub -> s.subscribe(sub.topic());
        case Command.Unsubscribe u -> s.unsubscribe(u.topic());
        case Command.SendRequest r -> s.sendRequest(r);
        case Command.Dial d -> s.dial(d.address(), d.expected(), d.persistent());
        case Command.Disconnect d -> s.disconnect(d.peer());
        case Command.Ping pg -> s.ping(pg.peer());
        case Command.ResponseChunk rc -> s.responseChunk(rc.channelId(), rc.ssz());
        case Command.EndResponse e -> s.endResponse(e.channelId());
        case Command.ErrorResponse e -> s.errorResponse(e.channelId(), e.code(), e.message());
        case Command.ReportValidation v -> s.reportValidation(v.messageId(), v.result());
      }
    } catch (RuntimeException e) {
      LOG.error("[{}] command {} failed: {}", name, c.getClass().getSimpleName(), e.toString(), e);
      if (c instanceof Command.SendRequest r) {
        requestFailed(r.requestId(), r.peer(), r.protocol(), r.handler(),
            new RequestError(RequestError.Kind.CLOSED, null, -1, "internal error: " + e));
      }
    }
  }

  /** A command that can no longer run (closing): requests still get their one terminal event. */
  private void abandon(Command c) {
    if (c instanceof Command.SendRequest r) {
      requestFailed(r.requestId(), r.peer(), r.protocol(), r.handler(),
          new RequestError(RequestError.Kind.CLOSED, null, -1, "network closed"));
    }
  }

  private void closeOnLoop(CompletableFuture<Void> released) {
    NetworkServices s = services;
    lanes.drainAll(this::abandon);
    if (s == null) {
      released.complete(null);
      return;
    }
    s.close().whenComplete((v, err) -> {
      publishSnapshot();
      lanes.drainAll(this::abandon); // commands that raced in while closing
      released.complete(null);
    });
  }

  // ------------------------------------------------------------ called by NetworkServices (loop)

  void emitPeer(NetworkEvent e) {
    events.offer(EventClass.PEER, e);
  }

  /** Response-class events go to the request's own handler if it has one. */
  void emitResponse(NetworkListener handler, NetworkEvent e) {
    events.offer(EventClass.RESPONSE, handler == null ? e : new Routed(handler, e));
  }

  /** Terminal failure of one of our requests; releases its concurrency slot. */
  void requestFailed(long id, PeerId peer, LeanProtocol p, NetworkListener handler, RequestError err) {
    releaseSlot(peer);
    emitResponse(handler, new NetworkEvent.RequestFailed(id, peer, p, err));
  }

  void requestEnded(long id, PeerId peer, LeanProtocol p, NetworkListener handler) {
    releaseSlot(peer);
    emitResponse(handler, new NetworkEvent.EndOfStream(id, peer, p));
  }

  private void releaseSlot(PeerId peer) {
    AtomicInteger c = inflight.get(peer);
    if (c != null) {
      c.decrementAndGet();
    }
  }

  /** False when the host's gossip queue is full: the caller sheds (IGNORE). */
  boolean offerGossip(NetworkEvent.GossipMessage m) {
    return events.offer(EventClass.GOSSIP, m);
  }

  boolean offerInboundRequest(NetworkEvent.InboundRequest r) {
    openChannels.put(r.channelId(), new AtomicInteger()); // before the host can see the event and answer
    if (!events.offer(EventClass.INBOUND_REQUEST, r)) {
      openChannels.remove(r.channelId());
      return false;
    }
    return true;
  }

  void channelFinished(long channelId) {
    openChannels.remove(channelId);
  }

  boolean aboveHighWatermark(EventClass c) {
    return events.aboveHighWatermark(c);
  }

  void markPaused(EventClass c) {
    events.markPaused(c);
  }

  EventDispatcher<Object> dispatcher() {
    return events;
  }

  CommandLanes<Command> lanes() {
    return lanes;
  }

  Map<Outcome.Kind, Long> refusalCounts() {
    Map<Outcome.Kind, Long> m = new EnumMap<>(Outcome.Kind.class);
    refusals.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  State state() {
    return state.get();
  }

  void publishSnapshot() {
    NetworkServices s = services;
    if (s != null) {
      snapshot = s.snapshot();
      metrics = s.metrics();
    }
  }

  static byte[] compress(byte[] ssz) {
    return SnappyBlock.compress(ssz);
  }
}
