package io.leanp2p.node;

import io.leanp2p.codec.sszsnappy.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.enr.Enr;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.protocol.reqresp.LeanProtocol;
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
 * <pre>{@code
 * LeanNetwork net = LeanNetwork.start(NetworkConfig.builder().build(), event -> ...);
 * net.awaitReady(Duration.ofSeconds(5));
 * net.subscribe(GossipTopics.block("12345678"));
 * Outcome o = net.publish(topic, ssz);
 * RequestHandle r = net.sendRequest(peer, LeanProtocol.STATUS, statusSsz);
 * net.close();
 * }</pre>
 */
public final class LeanNetwork implements AutoCloseable {
  private final NetworkLoop loop;

  private LeanNetwork(NetworkLoop loop) {
    this.loop = loop;
  }

  /**
   * Creates and starts a network: its event loop, transports, listeners and bootnode dials. Returns
   * at once; {@link #ready()} completes when the listeners are bound (or fails with a {@link
   * StartException} saying why: key, address, bind).
   */
  public static LeanNetwork start(NetworkConfig config, NetworkListener listener) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(listener, "listener");
    return new LeanNetwork(NetworkLoop.start(config, listener));
  }

  /** Completes with the listen addresses once the network is ready, or exceptionally. */
  public CompletableFuture<List<Multiaddr>> ready() {
    return loop.ready();
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
      return loop.ready().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
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

  public PeerId localPeerId() {
    return loop.localPeerId();
  }

  /** The network's name (in every log line and thread name). */
  public String name() {
    return loop.name();
  }

  // ------------------------------------------------------------------------- gossip

  /**
   * Publishes {@code ssz} (uncompressed SSZ; the network snappy-compresses it) on {@code topic}.
   * Publishing to a topic without peers is accepted. The completion (message id, recipients, or
   * duplicate) is reported as a {@link NetworkEvent} only when {@code NetworkConfig} asks for it.
   */
  public Outcome publish(String topic, byte[] ssz) {
    return publish(topic, ssz, Duration.ZERO);
  }

  /**
   * From this payload size on, {@code publish} compresses and hashes (message id) on the caller's
   * thread, so that a block costs the event loop only routing and encryption; below it, the loop
   * does it (a few microseconds) and the call stays a copy and a queue offer.
   */
  static final int PREPARE_ON_CALLER_BYTES = 16 * 1024;

  /** Like {@link #publish(String, byte[])}, waiting up to {@code maxWait} for room in the lane. */
  public Outcome publish(String topic, byte[] ssz, Duration maxWait) {
    Outcome bad = loop.checkTopic(topic);
    if (bad == null) {
      bad = loop.checkPayload(ssz);
    }
    if (bad != null) {
      return loop.refuse(bad);
    }
    // compressing makes the copy; small payloads are copied and prepared on the loop
    Command.Publish p = ssz.length < PREPARE_ON_CALLER_BYTES
        ? new Command.Publish(topic, ssz.clone(), false, null)
        : new Command.Publish(topic, ssz, false, null).prepared(loop.gossipPayloadLimit());
    return loop.submit(p, maxWait);
  }

  /**
   * Publishes {@code wireData} exactly as it should travel (no snappy compression): for tools and
   * interop tests that speak in wire payloads (the message-id is still the lean one: valid raw
   * snappy → domain 01000000 over the decompressed bytes, else 00000000 over the bytes as given).
   */
  public Outcome publishRaw(String topic, byte[] wireData) {
    Outcome bad = loop.checkTopic(topic);
    if (bad == null) {
      bad = loop.checkPayload(wireData);
    }
    if (bad != null) {
      return loop.refuse(bad);
    }
    Command.Publish p = new Command.Publish(topic, wireData.clone(), true, null);
    return loop.submit(wireData.length < PREPARE_ON_CALLER_BYTES ? p : p.prepared(loop.gossipPayloadLimit()), Duration.ZERO);
  }

  public Outcome subscribe(String topic) {
    Outcome bad = loop.checkTopic(topic);
    return bad != null ? loop.refuse(bad) : loop.submit(new Command.Subscribe(topic), Duration.ZERO);
  }

  public Outcome unsubscribe(String topic) {
    Outcome bad = loop.checkTopic(topic);
    return bad != null ? loop.refuse(bad) : loop.submit(new Command.Unsubscribe(topic), Duration.ZERO);
  }

  /**
   * The host's verdict on a {@link NetworkEvent.GossipMessage}: ACCEPT forwards it, REJECT
   * penalises the propagation source, IGNORE drops it. Control lane.
   */
  public Outcome reportValidation(byte[] messageId, Validation result) {
    if (messageId == null || messageId.length != 20) {
      return loop.refuse(Outcome.invalid("message id must be 20 bytes"));
    }
    if (result == null) {
      return loop.refuse(Outcome.invalid("validation result is null"));
    }
    return loop.submit(new Command.ReportValidation(messageId.clone(), result), Duration.ZERO);
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
    return loop.sendRequest(peer, protocol, ssz, null, Duration.ZERO);
  }

  /**
   * Like {@link #sendRequest(PeerId, LeanProtocol, byte[])}, but this request's events go to
   * {@code handler} (on the delivery thread) instead of the network listener. The handler is
   * registered before the command is enqueued, so no response can arrive before it.
   */
  public RequestHandle sendRequest(
      PeerId peer, LeanProtocol protocol, byte[] ssz, NetworkListener handler, Duration maxWait) {
    return loop.sendRequest(peer, protocol, ssz, Objects.requireNonNull(handler, "handler"), maxWait);
  }

  /**
   * Sends one SUCCESS chunk on an inbound request's channel. Control lane. Each channel holds at
   * most {@code NetworkConfig.maxPendingChunksPerChannel} chunks not yet taken by the stream; past
   * that the answer is QUEUE_FULL (use the bounded-wait form to wait for the stream instead).
   */
  public Outcome sendResponseChunk(long channelId, byte[] ssz) {
    return sendResponseChunk(channelId, ssz, Duration.ZERO);
  }

  /** Like {@link #sendResponseChunk(long, byte[])}, waiting up to {@code maxWait} for room. */
  public Outcome sendResponseChunk(long channelId, byte[] ssz, Duration maxWait) {
    Outcome bad = loop.checkPayload(ssz);
    if (bad != null) {
      return loop.refuse(bad);
    }
    Outcome noCredit = loop.claimChunk(channelId, maxWait);
    if (noCredit != null) {
      return noCredit;
    }
    Outcome o = loop.submit(new Command.ResponseChunk(channelId, ssz.clone()), maxWait);
    if (!o.isAccepted()) {
      loop.releaseChunk(channelId);
    }
    return o;
  }

  /** Ends the response on a channel (FIN). Control lane. */
  public Outcome endResponse(long channelId) {
    Outcome bad = loop.checkChannel(channelId);
    return bad != null ? loop.refuse(bad) : loop.submit(new Command.EndResponse(channelId), Duration.ZERO);
  }

  /**
   * Sends an error response (code 1–3, message cut to 256 UTF-8 bytes) and ends the channel.
   * Control lane.
   */
  public Outcome sendErrorResponse(long channelId, ResponseCode code, String message) {
    Outcome bad = loop.checkChannel(channelId);
    if (bad == null && (code == null || code == ResponseCode.SUCCESS)) {
      bad = Outcome.invalid("error response needs a non-SUCCESS code");
    }
    return bad != null
        ? loop.refuse(bad)
        : loop.submit(
            new Command.ErrorResponse(channelId, code, message == null ? "" : message), Duration.ZERO);
  }

  // ------------------------------------------------------------------------- peers

  /**
   * Dials a multiaddr ({@code /ip4/…/udp/…/quic-v1/p2p/…}, {@code /ip4/…/tcp/…/p2p/…}) or an ENR
   * ({@code enr:…}). The result is a {@link NetworkEvent.PeerConnected} or {@link
   * NetworkEvent.ConnectionFailed} event. With {@code persistent}, the peer is kept connected per
   * the reconnect policy (as bootnodes are).
   */
  public Outcome dial(String multiaddrOrEnr, boolean persistent) {
    if (multiaddrOrEnr == null || multiaddrOrEnr.isBlank()) {
      return loop.refuse(Outcome.invalid("empty address"));
    }
    Multiaddr addr;
    try {
      addr = parseDialable(multiaddrOrEnr.trim());
    } catch (DecodeException | IllegalArgumentException e) {
      return loop.refuse(Outcome.invalid("bad address: " + e.getMessage()));
    }
    PeerId expected = PeerId.fromMultiaddr(addr).orElse(null);
    if (expected != null && expected.equals(loop.localPeerId())) {
      return loop.refuse(Outcome.invalid("refusing to dial ourselves"));
    }
    return loop.submit(new Command.Dial(addr, expected, persistent), Duration.ZERO);
  }

  public Outcome dial(String multiaddrOrEnr) {
    return dial(multiaddrOrEnr, false);
  }

  /** Closes every connection to {@code peer} (and stops reconnecting to it). */
  public Outcome disconnect(PeerId peer) {
    if (peer == null) {
      return loop.refuse(Outcome.invalid("peer is null"));
    }
    return loop.submit(new Command.Disconnect(peer), Duration.ZERO);
  }

  /** Pings a connected peer ({@code /ipfs/ping/1.0.0}); the answer is a {@link NetworkEvent.PingResult}. */
  public Outcome ping(PeerId peer) {
    if (peer == null) {
      return loop.refuse(Outcome.invalid("peer is null"));
    }
    return loop.submit(new Command.Ping(peer), Duration.ZERO);
  }

  /** Parses a multiaddr or an ENR into a dialable multiaddr (ENRs get {@code /p2p/}). */
  public static Multiaddr parseDialable(String text) throws DecodeException {
    if (text.startsWith("enr:")) {
      return Enr.parseVerified(text)
          .dialMultiaddr()
          .orElseThrow(() -> DecodeException.malformed("ENR has no ip / udp or quic port to dial"));
    }
    return Multiaddr.parse(text);
  }

  // ------------------------------------------------------------------------- reads

  /** An immutable snapshot of peers, meshes and counters, published by the loop. */
  public NetworkSnapshot snapshot() {
    return loop.snapshot();
  }

  /** All metrics of this network (the metrics SPI). */
  public MetricsSnapshot metrics() {
    return loop.metrics();
  }

  /**
   * Closes the network: no new commands (CLOSED), every in-flight request of ours ends with one
   * error event, every channel, timer, thread and buffer is released. Idempotent; returns when
   * done (events already queued are delivered first, within a bounded wait).
   */
  @Override
  public void close() {
    loop.close();
  }
}
