package io.leanp2p.node;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.util.DecodeException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One lean-consensus libp2p network: the host API.
 *
 * <p>Every method is thread-safe and non-blocking (except {@link #awaitReady} and {@link #close},
 * and the explicit bounded-wait forms). Each command validates its arguments on the caller's
 * thread, copies the bytes, offers an immutable command to one of two bounded lanes of the
 * network's event loop, and returns an {@link Outcome} at once: ACCEPTED, QUEUE_FULL, CLOSED,
 * NOT_STARTED, INVALID (with a reason), NOT_CONNECTED or TOO_MANY_REQUESTS. Nothing is ever
 * dropped silently: every refusal is counted by reason in {@link #metrics()}.
 *
 * <p>Events reach the {@link NetworkListener} on a delivery thread of this network, never on the
 * event loop. See {@code docs/architecture.md} for threading, lanes, shedding and byte ownership.
 *
 * <p><b>Snapshots and events agree.</b> {@link #snapshot()} is an immutable picture the loop
 * publishes (every second, after subscription changes, and on demand). A peer-state event —
 * {@code PeerConnected}, {@code PeerDisconnected}, {@code PeerSubscription}, {@code MeshChange} —
 * is handed to the listener only once the published snapshot shows that state: a host that got
 * such an event and then calls {@code snapshot()} sees it (or something newer).
 *
 * <pre>{@code
 * LeanNetwork net = LeanNetwork.start(NetworkConfig.builder().build(), event -> {});
 * net.awaitReady(Duration.ofSeconds(5));
 * String topic = GossipTopic.block("12345678").format();
 * net.subscribe(topic);
 * Outcome o = net.publish(topic, blockSsz);
 * RequestHandle r = net.sendRequest(peer, LeanProtocol.STATUS, statusSsz);
 * net.close();
 * }</pre>
 */
public final class LeanNetwork implements AutoCloseable {
  private final NetworkActor actor;
  private final CommandGate gate;

  private LeanNetwork(NetworkActor actor) {
    this.actor = actor;
    this.gate = actor.gate();
  }

  /** The actor (tests in this package). */
  NetworkActor actor() {
    return actor;
  }

  /**
   * Creates and starts a network: its event loop, transports, listeners and bootnode dials. Returns
   * at once; {@link #ready()} completes when the listeners are bound (or fails with a {@link
   * StartException} saying why: key, address, bind). Bootnodes that cannot be parsed, resolved or
   * reached do not fail the start: each is reported as a {@link NetworkEvent.ConnectionFailed}.
   */
  public static LeanNetwork start(NetworkConfig config, NetworkListener listener) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(listener, "listener");
    return new LeanNetwork(NetworkActor.start(config, listener));
  }

  /** Completes with the listen addresses once the network is ready, or exceptionally. */
  public CompletableFuture<List<Multiaddr>> ready() {
    return actor.state().ready;
  }

  /**
   * Waits until the network is ready.
   *
   * @return the bound listen addresses (each ending in {@code /p2p/<id>})
   * @throws StartException if the network could not start (typed reason)
   * @throws TimeoutException if it is not ready within {@code timeout}
   */
  public List<Multiaddr> awaitReady(Duration timeout) throws StartException, TimeoutException {
    try {
      return actor.state().ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StartException se) {
        throw se;
      }
      throw new StartException(StartException.Reason.INTERNAL, String.valueOf(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TimeoutException("interrupted while waiting for the network");
    }
  }

  /** Our PeerId (null only when the identity key is unusable: the start failed with KEY). */
  public PeerId localPeerId() {
    return actor.self();
  }

  /** The network's name (in every log line and thread name). */
  public String name() {
    return actor.name();
  }

  // ------------------------------------------------------------------------- gossip

  /**
   * Publishes {@code ssz} (uncompressed SSZ; the network snappy-compresses it) on {@code topic}.
   * Publishing to a topic without peers is accepted. A payload over the gossip limit once
   * compressed is refused TOO_LARGE. The completion (message id, recipients, or duplicate) is
   * reported as a {@link NetworkEvent} only when {@code NetworkConfig} asks for it.
   */
  public Outcome publish(String topic, byte[] ssz) {
    return publish(topic, ssz, Duration.ZERO);
  }

  /** Like {@link #publish(String, byte[])}, waiting up to {@code maxWait} for room in the lane. */
  public Outcome publish(String topic, byte[] ssz, Duration maxWait) {
    return gate.publish(topic, ssz, false, maxWait);
  }

  /**
   * Publishes {@code wireData} exactly as it should travel (no snappy compression): for tools and
   * interop tests that speak in wire payloads (the message-id is still the lean one: valid raw
   * snappy → domain 01000000 over the decompressed bytes, else 00000000 over the bytes as given).
   */
  public Outcome publishRaw(String topic, byte[] wireData) {
    return gate.publish(topic, wireData, true, Duration.ZERO);
  }

  public Outcome subscribe(String topic) {
    Outcome bad = gate.checkTopic(topic);
    return bad != null ? gate.refuse(bad) : gate.submit(new Command.Subscribe(topic), Duration.ZERO);
  }

  public Outcome unsubscribe(String topic) {
    Outcome bad = gate.checkTopic(topic);
    return bad != null ? gate.refuse(bad) : gate.submit(new Command.Unsubscribe(topic), Duration.ZERO);
  }

  /**
   * The host's verdict on a {@link NetworkEvent.GossipMessage}: ACCEPT forwards it, REJECT
   * penalises the propagation source, IGNORE drops it. Control lane.
   */
  public Outcome reportValidation(byte[] messageId, Validation result) {
    if (messageId == null || messageId.length != 20) {
      return gate.refuse(Outcome.invalid("message id must be 20 bytes"));
    }
    if (result == null) {
      return gate.refuse(Outcome.invalid("validation result is null"));
    }
    return gate.submit(new Command.ReportValidation(messageId.clone(), result), Duration.ZERO);
  }

  // ------------------------------------------------------------------------- req/resp

  /**
   * Sends a request. On ACCEPTED exactly one terminal event follows for {@link
   * RequestHandle#requestId()}: {@link NetworkEvent.EndOfStream} or {@link
   * NetworkEvent.RequestFailed}, after zero or more {@link NetworkEvent.ResponseChunk}s. Requests to
   * an unconnected peer fail fast with NOT_CONNECTED; beyond the per-peer concurrency limit with
   * TOO_MANY_REQUESTS.
   */
  public RequestHandle sendRequest(PeerId peer, LeanProtocol protocol, byte[] ssz) {
    return gate.sendRequest(peer, protocol, ssz, null, Duration.ZERO);
  }

  /**
   * Like {@link #sendRequest(PeerId, LeanProtocol, byte[])}, but this request's events go to
   * {@code handler} (on the delivery thread) instead of the network listener. The handler is
   * registered before the command is enqueued, so no response can arrive before it.
   */
  public RequestHandle sendRequest(
      PeerId peer, LeanProtocol protocol, byte[] ssz, NetworkListener handler, Duration maxWait) {
    return gate.sendRequest(peer, protocol, ssz, Objects.requireNonNull(handler, "handler"), maxWait);
  }

  /**
   * Sends one SUCCESS chunk on an inbound request's channel. Control lane. Each channel has one
   * queue, bounded in bytes ({@code ReqRespConfig.maxQueuedBytesPerChannel}, 4 MiB; a single chunk
   * always fits an empty one): the chunk's bytes are reserved in it on this thread, so an accepted
   * chunk is never dropped later. Past the bound the answer is QUEUE_FULL (use the bounded-wait
   * form to wait for the stream to take earlier chunks).
   */
  public Outcome sendResponseChunk(long channelId, byte[] ssz) {
    return sendResponseChunk(channelId, ssz, Duration.ZERO);
  }

  /** Like {@link #sendResponseChunk(long, byte[])}, waiting up to {@code maxWait} for room. */
  public Outcome sendResponseChunk(long channelId, byte[] ssz, Duration maxWait) {
    return gate.responseChunk(channelId, ssz, maxWait);
  }

  /** Ends the response on a channel (FIN). Control lane. */
  public Outcome endResponse(long channelId) {
    return gate.channelCommand(channelId, new Command.EndResponse(channelId));
  }

  /**
   * Sends an error response (code 1–3, message cut to 256 UTF-8 bytes) and ends the channel.
   * Control lane.
   */
  public Outcome sendErrorResponse(long channelId, ResponseCode code, String message) {
    if (code == null || code == ResponseCode.SUCCESS) {
      return gate.refuse(Outcome.invalid("error response needs a non-SUCCESS code"));
    }
    return gate.channelCommand(channelId, new Command.ErrorResponse(channelId, code, message == null ? "" : message));
  }

  // ------------------------------------------------------------------------- peers

  /**
   * Dials a multiaddr ({@code /ip4/…/udp/…/quic-v1/p2p/…}, {@code /ip4/…/tcp/…/p2p/…}, {@code
   * /dns4/…}: names are resolved off the event loop) or an ENR ({@code enr:…}). The result is a
   * {@link NetworkEvent.PeerConnected} or {@link NetworkEvent.ConnectionFailed} event. With {@code
   * persistent}, the peer is kept connected per the reconnect policy (as bootnodes are): redialed
   * after a failed dial or a lost connection, e.g. when it restarts; that needs the peer's id
   * ({@code /p2p/} or an ENR).
   */
  public Outcome dial(String multiaddrOrEnr, boolean persistent) {
    if (multiaddrOrEnr == null || multiaddrOrEnr.isBlank()) {
      return gate.refuse(Outcome.invalid("empty address"));
    }
    Multiaddr addr;
    try {
      addr = parseDialable(multiaddrOrEnr.trim());
    } catch (DecodeException | IllegalArgumentException e) {
      return gate.refuse(Outcome.invalid("bad address: " + e.getMessage()));
    }
    PeerId expected = PeerId.fromMultiaddr(addr).orElse(null);
    if (expected != null && expected.equals(actor.self())) {
      return gate.refuse(Outcome.invalid("refusing to dial ourselves"));
    }
    if (persistent && expected == null) {
      return gate.refuse(Outcome.invalid("a persistent dial needs the peer's id (/p2p/<id> or an ENR)"));
    }
    return gate.submit(new Command.Dial(addr, expected, persistent), Duration.ZERO);
  }

  public Outcome dial(String multiaddrOrEnr) {
    return dial(multiaddrOrEnr, false);
  }

  /** Closes every connection to {@code peer} (and stops reconnecting to it). */
  public Outcome disconnect(PeerId peer) {
    if (peer == null) {
      return gate.refuse(Outcome.invalid("peer is null"));
    }
    return gate.submit(new Command.Disconnect(peer), Duration.ZERO);
  }

  /** Pings a connected peer ({@code /ipfs/ping/1.0.0}); the answer is a {@link NetworkEvent.PingResult}. */
  public Outcome ping(PeerId peer) {
    if (peer == null) {
      return gate.refuse(Outcome.invalid("peer is null"));
    }
    return gate.submit(new Command.Ping(peer), Duration.ZERO);
  }

  /** Parses a multiaddr or an ENR into a dialable multiaddr (ENRs get {@code /p2p/}). */
  public static Multiaddr parseDialable(String text) throws DecodeException {
    return DialAddress.parse(text);
  }

  // ------------------------------------------------------------------------- reads

  /**
   * An immutable snapshot of peers, topics and meshes, published by the loop; it shows at least the
   * state of every peer-state event already delivered (see the class comment).
   */
  public NetworkSnapshot snapshot() {
    return actor.board().snapshot();
  }

  /** All metrics of this network (the metrics SPI), published by the loop at least every second. */
  public MetricsSnapshot metrics() {
    return actor.board().metrics();
  }

  /**
   * Closes the network: no new commands (CLOSED); every command already accepted gets its outcome
   * event (a request its terminal event, a dial a ConnectionFailed, a ping its PingResult, the
   * others CommandAbandoned); every in-flight request of ours ends with one error event; every
   * channel, timer, thread and buffer is released. Idempotent; returns when done (events already
   * queued are delivered first, within a bounded wait).
   */
  @Override
  public void close() {
    actor.close();
  }
}
