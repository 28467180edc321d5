package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.RequestError;
import io.leanp2p.protocol.reqresp.ResponseChannels;
import io.leanp2p.types.CloseReason;
import io.leanp2p.util.Scheduler;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadEventLoop;
import io.leanp2p.transport.EventLoops;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The actor behind a {@link LeanNetwork}: one event-loop thread that owns all of the network's
 * mutable state. Read it top to bottom: how it starts, how each command is carried out (one
 * handler per command, named after it), the 1 s tick, and how it closes. What it drives is built
 * by {@link Wiring}: the swarm (transports and the peer table) and the services; the host-thread
 * half lives in {@link CommandGate}, the event path in {@link HostOutbox}.
 *
 * <p>How the loop runs: commands arrive on the two {@link CommandLanes}; a drain task handles at
 * most {@code drainBatch} of them and continues after the I/O that is waiting (Netty runs every
 * task queued during a pass in that pass, so the continuation is posted to run after the pass).
 * Transport callbacks, timers and drains all run on this one thread; nothing here takes a lock,
 * and host code never runs here.
 */
final class NetworkActor {
  private static final Logger LOG = LoggerFactory.getLogger(NetworkActor.class);
  /** The SLF4J MDC key holding the network's name on its threads. */
  static final String MDC_KEY = "network";
  private static final long TICK_NANOS = 1_000_000_000L;

  // ------------------------------------------------------------ shared: set once, or thread-safe
  private final NetworkConfig config;
  private final String name;
  private final PrivateKey identity;
  private final PeerId self; // null when the key is unusable (start fails with KEY)
  private final StartException keyFailure;
  private final MultiThreadIoEventLoopGroup group;
  private final EventLoop loop;
  private final Scheduler scheduler;
  private final NetworkState state = new NetworkState();
  private final CommandLanes<Command> lanes;
  private final SnapshotBoard board;
  private final HostOutbox outbox;
  private final ResponseChannels channels;
  private final CommandGate gate;
  private volatile Thread loopThread;

  // ------------------------------------------------------------ the loop's own
  private Wiring w;
  private Scheduler.Cancellable tickTimer;
  private long tickDue;
  private boolean snapshotScheduled;

  private NetworkActor(NetworkConfig config, NetworkListener listener) {
    this.config = config;
    this.name = config.name();
    this.identity = config.identity() != null ? config.identity() : Secp256k1PrivateKey.generate(new SecureRandom());
    PeerId id = null;
    StartException failure = null;
    try {
      id = Wiring.checkKey(identity);
    } catch (StartException e) {
      failure = e;
    }
    this.self = id;
    this.keyFailure = failure;
    this.group = new MultiThreadIoEventLoopGroup(
        1, new DefaultThreadFactory("lean-p2p-" + name + "-loop", true), EventLoops.ioHandlerFactory()); // native epoll where it loads, else NIO
    this.loop = (EventLoop) group.next();
    this.scheduler = Scheduler.of(loop);
    this.lanes = new CommandLanes<>(config.controlLaneCapacity(), config.bulkLaneCapacity(), config.drainBatch(),
        loop::execute,
        this::afterThisPass,
        this::handle);
    this.board = new SnapshotBoard(self, () -> loop.execute(this::publishSnapshot));
    RequestSlots slots = new RequestSlots(config.reqresp().maxConcurrentPerPeer());
    this.outbox = new HostOutbox(config, listener, board, slots, loop::execute, this::snapshotSoon, MDC_KEY);
    this.channels = new ResponseChannels(config.reqresp().maxQueuedBytesPerChannel());
    this.gate = new CommandGate(config, state, lanes, slots, board, channels);
  }

  static NetworkActor start(NetworkConfig config, NetworkListener listener) {
    NetworkActor a = new NetworkActor(config, listener);
    // every log line written on the loop carries the network's name as MDC key "network"
    a.loop.execute(() -> {
      a.loopThread = Thread.currentThread();
      MDC.put(MDC_KEY, a.name);
    });
    a.loop.execute(a::startOnLoop);
    return a;
  }

  String name() {
    return name;
  }

  PeerId self() {
    return self;
  }

  NetworkState state() {
    return state;
  }

  CommandGate gate() {
    return gate;
  }

  SnapshotBoard board() {
    return board;
  }

  /** Runs {@code task} on the event loop (tests: to hold the loop while commands queue up). */
  void execute(Runnable task) {
    loop.execute(task);
  }

  // =================================================================== start

  private void startOnLoop() {
    if (keyFailure != null) {
      LOG.error("[{}] start failed: {}", name, keyFailure.getMessage());
      state.ready.completeExceptionally(keyFailure);
      return;
    }
    List<CompletableFuture<Multiaddr>> binds = new ArrayList<>();
    try {
      w = Wiring.build(config, identity, self, loop, scheduler,
          new Wiring.Plumbing(outbox, lanes, gate, board, channels));
      for (String a : config.listenAddresses()) {
        Multiaddr m = Wiring.parse(a);
        CompletableFuture<Multiaddr> f = new CompletableFuture<>();
        w.swarm.listen(m).addListener(x -> {
          if (x.isSuccess()) {
            f.complete(((Multiaddr) x.getNow()).withP2p(self.toBytes()));
          } else {
            f.completeExceptionally(new StartException(StartException.Reason.BIND,
                "cannot listen on " + m + ": " + x.cause(), x.cause()));
          }
        });
        binds.add(f);
      }
    } catch (StartException e) {
      startFailed(e);
      return;
    } catch (RuntimeException e) {
      startFailed(new StartException(StartException.Reason.INTERNAL, e.toString(), e));
      return;
    }
    CompletableFuture.allOf(binds.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> loop.execute(() -> {
      if (err != null) {
        Throwable cause = err instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : err;
        startFailed(cause instanceof StartException s ? s
            : new StartException(StartException.Reason.INTERNAL, cause.toString(), cause));
        return;
      }
      List<Multiaddr> addrs = binds.stream().map(CompletableFuture::join).toList();
      w.listening(addrs);
      if (state.toRunning()) {
        publishSnapshot();
        LOG.info("[{}] ready as {} on {}", name, self, addrs);
        state.ready.complete(addrs);
        afterReady();
      }
    }));
  }

  private void startFailed(StartException e) {
    LOG.error("[{}] start failed: {}", name, e.getMessage());
    state.ready.completeExceptionally(e);
  }

  /** Running: the router's heartbeat, the bootnodes, the tick. */
  private void afterReady() {
    w.gossip.start();
    w.peers.dialBootnodes(config.bootnodes(), self);
    tickDue = scheduler.nanoTime() + TICK_NANOS;
    tickTimer = scheduler.schedule(TICK_NANOS, this::tick);
  }

  /** Every second: the services' tick, fresh snapshots, and how late this timer ran (loop lag). */
  private void tick() {
    if (!state.isRunning()) {
      return;
    }
    long now = scheduler.nanoTime();
    w.telemetry.recordLoopLag(now - tickDue);
    w.swarm.tick();
    w.peers.tick();
    w.telemetry.publish();
    tickDue = now + TICK_NANOS;
    tickTimer = scheduler.schedule(TICK_NANOS, this::tick);
  }

  private void publishSnapshot() {
    if (w != null) {
      w.telemetry.publish();
    }
  }

  /** Runs {@code task} after the I/O of this loop pass (a task queued during the pass would run in it). */
  private void afterThisPass(Runnable task) {
    ((SingleThreadEventLoop) loop).executeAfterEventLoopIteration(() -> {
      if (!loop.isShuttingDown()) {
        loop.execute(task);
      }
    });
  }

  /**
   * A state event was queued: publish a fresh network snapshot at the end of this loop iteration
   * (one for all the events of the iteration), so the delivery thread rarely has to ask for one.
   */
  private void snapshotSoon() {
    if (!snapshotScheduled) {
      snapshotScheduled = true;
      ((SingleThreadEventLoop) loop).executeAfterEventLoopIteration(() -> {
        snapshotScheduled = false;
        if (w != null) {
          w.telemetry.publishSnapshot();
        }
      });
    }
  }

  // =================================================================== commands

  /** Every command, in one exhaustive switch; each has its handler below. */
  private void handle(Command c) {
    if (w == null || !state.isRunning()) {
      abandon(c);
      return;
    }
    try {
      switch (c) {
        case Command.Publish p -> onPublish(p);
        case Command.Subscribe s -> onSubscribe(s);
        case Command.Unsubscribe u -> onUnsubscribe(u);
        case Command.SendRequest r -> onSendRequest(r);
        case Command.Dial d -> onDial(d);
        case Command.Disconnect d -> onDisconnect(d);
        case Command.Ping p -> onPing(p);
        case Command.ResponseChunk r -> onResponseChunk(r);
        case Command.EndResponse e -> onEndResponse(e);
        case Command.ErrorResponse e -> onErrorResponse(e);
        case Command.ReportValidation v -> onReportValidation(v);
      }
    } catch (RuntimeException e) {
      LOG.error("[{}] command {} failed: {}", name, c.getClass().getSimpleName(), e.toString(), e);
      if (c instanceof Command.SendRequest r) {
        w.reqresp.fail(r, RequestError.Kind.CLOSED, "internal error: " + e);
      }
    }
  }

  private void onPublish(Command.Publish p) {
    w.gossip.publish(p);
  }

  private void onSubscribe(Command.Subscribe s) {
    w.gossip.subscribe(s.topic());
    publishSnapshot();
  }

  private void onUnsubscribe(Command.Unsubscribe u) {
    w.gossip.unsubscribe(u.topic());
    publishSnapshot();
  }

  private void onSendRequest(Command.SendRequest r) {
    w.reqresp.sendRequest(r);
  }

  private void onDial(Command.Dial d) {
    w.peers.dial(d.address(), d.expected(), d.persistent());
  }

  private void onDisconnect(Command.Disconnect d) {
    w.peers.disconnect(d.peer());
  }

  private void onPing(Command.Ping p) {
    w.ping.ping(p.peer());
  }

  private void onResponseChunk(Command.ResponseChunk r) {
    w.reqresp.responseChunk(r.channelId(), r.ssz());
  }

  private void onEndResponse(Command.EndResponse e) {
    w.reqresp.endResponse(e.channelId());
  }

  private void onErrorResponse(Command.ErrorResponse e) {
    w.reqresp.errorResponse(e.channelId(), e.code(), e.message());
  }

  private void onReportValidation(Command.ReportValidation v) {
    w.gossip.reportValidation(v.messageId(), v.result());
  }

  /**
   * A command that can no longer be carried out (the network is closing): it still gets its
   * outcome event, the one its kind has (a request's terminal event, a dial's failure, a ping's
   * result), else {@link NetworkEvent.CommandAbandoned}.
   */
  private void abandon(Command c) {
    String why = "network closed";
    switch (c) {
      case Command.SendRequest r -> outbox.requestEnded(r.peer(), r.handler(), new NetworkEvent.RequestFailed(
          r.requestId(), r.peer(), r.protocol(), new RequestError(RequestError.Kind.CLOSED, null, -1, why)));
      case Command.Dial d -> outbox.abandoned(new NetworkEvent.ConnectionFailed(
          d.expected(), d.address(), CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, why), 1, false));
      case Command.Ping p -> outbox.abandoned(new NetworkEvent.PingResult(p.peer(), -1, why));
      case Command.Publish p -> outbox.abandoned(new NetworkEvent.CommandAbandoned("publish", p.topic(), why));
      case Command.Subscribe s -> outbox.abandoned(new NetworkEvent.CommandAbandoned("subscribe", s.topic(), why));
      case Command.Unsubscribe u -> outbox.abandoned(new NetworkEvent.CommandAbandoned("unsubscribe", u.topic(), why));
      case Command.Disconnect d ->
          outbox.abandoned(new NetworkEvent.CommandAbandoned("disconnect", d.peer().toBase58(), why));
      case Command.ResponseChunk r -> outbox.abandoned(
          new NetworkEvent.CommandAbandoned("sendResponseChunk", "channel " + r.channelId(), why));
      case Command.EndResponse e ->
          outbox.abandoned(new NetworkEvent.CommandAbandoned("endResponse", "channel " + e.channelId(), why));
      case Command.ErrorResponse e ->
          outbox.abandoned(new NetworkEvent.CommandAbandoned("sendErrorResponse", "channel " + e.channelId(), why));
      case Command.ReportValidation v -> outbox.abandoned(
          new NetworkEvent.CommandAbandoned("reportValidation", io.leanp2p.util.Hex.encode(v.messageId()), why));
    }
  }

  // =================================================================== close

  /** Idempotent; returns when everything is released. Any thread. */
  void close() {
    NetworkState.Phase before = state.beginClose();
    if (before == NetworkState.Phase.CLOSING || before == NetworkState.Phase.CLOSED) {
      state.closed.join();
      return;
    }
    state.ready.completeExceptionally(new StartException(StartException.Reason.CLOSED, "closed", null));
    try {
      CompletableFuture<Void> released = new CompletableFuture<>();
      loop.execute(() -> closeOnLoop(released));
      released.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("[{}] close on loop did not finish cleanly: {}", name, e.toString());
    }
    board.close();
    outbox.dispatcher().close(5_000);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    Thread t = loopThread;
    if (t != null) {
      try {
        t.join(5_000); // Netty completes its termination future just before the thread ends
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    state.setClosed();
  }

  /**
   * On the loop: every command still queued gets its outcome; then the peer manager, gossip and
   * req/resp stop (every in-flight request ends with one terminal event, every open channel is
   * closed), then the swarm closes its connections (waiting, bounded, for the remotes to get our
   * CONNECTION_CLOSE / FIN) and its transports. No command can arrive after the first drain: the
   * close handshake of {@link NetworkState} refuses them.
   */
  private void closeOnLoop(CompletableFuture<Void> released) {
    lanes.drainAll(this::abandon);
    if (w == null) {
      released.complete(null);
      return;
    }
    if (tickTimer != null) {
      tickTimer.cancel();
    }
    w.peers.close();
    w.gossip.close();
    w.reqresp.close();
    w.ping.close();
    w.swarm.close().whenComplete((v, err) -> {
      publishSnapshot();
      released.complete(null);
    });
  }
}
