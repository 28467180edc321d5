package io.leanp2p.cli.peer;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.NetworkListener;
import io.leanp2p.node.NetworkSnapshot;
import io.leanp2p.node.Outcome;
import io.leanp2p.node.RequestHandle;
import io.leanp2p.node.StartException;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.types.RequestError;
import io.leanp2p.types.Direction;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The production {@link PeerBackend}: one {@link LeanNetwork}. Network events become peer-protocol
 * events on the {@link EventWriter}; gossip is validated ACCEPT; status requests are echoed (one
 * SUCCESS chunk, then end of stream). Pending dials / publishes / pings are completed by the
 * events that answer them (the delivery thread); this bookkeeping is CLI-side and synchronised.
 */
public final class LeanPeerBackend implements PeerBackend, NetworkListener {
  private final EventWriter out;
  private final LongSupplier nanoClock;
  private final CompletableFuture<LeanNetwork> network = new CompletableFuture<>();
  /** Publishes waiting for their completion, in the order the network accepted them. */
  private final ArrayDeque<CompletableFuture<Published>> pendingPublishes = new ArrayDeque<>();
  private final Map<PeerId, List<CompletableFuture<Dialed>>> pendingDials = new HashMap<>();
  private final Map<PeerId, ArrayDeque<CompletableFuture<Pong>>> pendingPings = new HashMap<>();
  private LeanNetwork net;

  private LeanPeerBackend(EventWriter out, LongSupplier nanoClock) {
    this.out = out;
    this.nanoClock = nanoClock;
  }

  /**
   * Starts the network and waits until it listens.
   *
   * @throws StartException with the reason (key, address, bind)
   */
  public static LeanPeerBackend start(NetworkConfig.Builder config, EventWriter out, LongSupplier nanoClock,
      Duration readyTimeout) throws StartException, TimeoutException {
    LeanPeerBackend b = new LeanPeerBackend(out, nanoClock);
    LeanNetwork n = LeanNetwork.start(config.publishEvents(true).build(), b);
    b.net = n;
    b.network.complete(n);
    try {
      n.awaitReady(readyTimeout);
    } catch (StartException | TimeoutException | RuntimeException e) {
      n.close();
      throw e;
    }
    return b;
  }

  public LeanNetwork network() {
    return net;
  }

  /** The {@code listening} event. */
  public Map<String, Object> listeningEvent(PrivateKey key, List<String> topics) {
    List<String> addrs = new ArrayList<>();
    for (Multiaddr a : net.ready().join()) {
      addrs.add(a.toString());
    }
    return PeerEvents.listening(addrs, net.localPeerId().toBase58(), Hex.encode(key.raw()), topics);
  }

  // ------------------------------------------------------------------ events from the network

  @Override
  public void onEvent(NetworkEvent event) {
    LeanNetwork n = network.join();
    switch (event) {
      case NetworkEvent.GossipMessage m -> {
        n.reportValidation(m.messageId(), Validation.ACCEPT);
        out.emit(PeerEvents.message(m.topic(), m.wireData(), m.messageIdHex(), id(m.from()), nanoClock.getAsLong()));
      }
      case NetworkEvent.InboundRequest r -> {
        if (r.protocol() == LeanProtocol.STATUS) {
          n.sendResponseChunk(r.channelId(), r.data(), Duration.ofSeconds(1));
          n.endResponse(r.channelId());
          out.emit(PeerEvents.statusRequest(id(r.peer()), r.data()));
        } else {
          n.sendErrorResponse(r.channelId(), ResponseCode.RESOURCE_UNAVAILABLE, "the test peer serves only status");
        }
      }
      case NetworkEvent.PeerConnected c -> {
        out.emit(PeerEvents.connection(true, id(c.peer()), String.valueOf(c.address()), direction(c.direction())));
        completeDials(c.peer(), new Dialed(id(c.peer()), String.valueOf(c.address())), null);
      }
      case NetworkEvent.PeerDisconnected d ->
          out.emit(PeerEvents.connection(false, id(d.peer()), String.valueOf(d.address()), direction(d.direction())));
      case NetworkEvent.ConnectionFailed f -> {
        if (f.peer() != null && !f.willRetry()) { // a persistent dial that retries is still pending
          completeDials(f.peer(), null, "dial " + f.address() + " failed: " + f.reason());
        }
      }
      case NetworkEvent.DialGaveUp g ->
          completeDials(g.peer(), null, "gave up on " + g.address() + " after " + g.attempts() + " dials");
      case NetworkEvent.PeerSubscription s -> out.emit(PeerEvents.subscription(id(s.peer()), s.topic(), s.subscribed()));
      case NetworkEvent.MeshChange m -> out.emit(PeerEvents.meshChange(m.grafted(), id(m.peer()), m.topic()));
      case NetworkEvent.PublishCompleted p -> completePublish(p);
      case NetworkEvent.PingResult p -> completePing(p);
      default -> {
        // responses go to per-request handlers; the rest is not part of the peer protocol
      }
    }
  }

  private static String id(PeerId p) {
    return p == null ? null : p.toBase58();
  }

  private static String direction(Direction d) {
    return d == Direction.INBOUND ? "inbound" : "outbound";
  }

  // ------------------------------------------------------------------ commands

  @Override
  public CompletableFuture<Dialed> dial(String addr, boolean persistent, Duration timeout) {
    Multiaddr m;
    try {
      m = LeanNetwork.parseDialable(addr);
    } catch (DecodeException | RuntimeException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("bad address: " + e.getMessage()));
    }
    Optional<PeerId> peer = PeerId.fromMultiaddr(m);
    if (peer.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("the address needs a /p2p/<peer id>: " + addr));
    }
    CompletableFuture<Dialed> f = new CompletableFuture<>();
    NetworkSnapshot.PeerInfo existing = connected(peer.get());
    if (existing != null) {
      f.complete(new Dialed(id(peer.get()), String.valueOf(existing.address())));
      return f;
    }
    synchronized (this) {
      pendingDials.computeIfAbsent(peer.get(), k -> new ArrayList<>()).add(f);
    }
    Outcome o = net.dial(addr, persistent);
    if (!o.isAccepted()) {
      synchronized (this) {
        pendingDials.getOrDefault(peer.get(), new ArrayList<>()).remove(f);
      }
      f.completeExceptionally(new IllegalStateException("dial refused: " + o));
    }
    return withTimeout(f, timeout, "dial " + addr);
  }

  private NetworkSnapshot.PeerInfo connected(PeerId peer) {
    for (NetworkSnapshot.PeerInfo p : net.snapshot().peers()) {
      if (p.peer().equals(peer)) {
        return p;
      }
    }
    return null;
  }

  private void completeDials(PeerId peer, Dialed ok, String error) {
    List<CompletableFuture<Dialed>> fs;
    synchronized (this) {
      fs = pendingDials.remove(peer);
    }
    if (fs != null) {
      for (CompletableFuture<Dialed> f : fs) {
        if (ok != null) {
          f.complete(ok);
        } else {
          f.completeExceptionally(new IllegalStateException(error));
        }
      }
    }
  }

  @Override
  public CompletableFuture<Published> publish(String topic, byte[] payload) {
    CompletableFuture<Published> f = new CompletableFuture<>();
    // publish completions come in the order the network accepted the publishes (one lane, one
    // event queue; see NetworkEvent.PublishCompleted): offering and queueing the future under one
    // lock keeps both orders the same, so no message id needs to be computed here
    synchronized (pendingPublishes) {
      Outcome o = net.publishRaw(topic, payload);
      if (!o.isAccepted()) {
        f.completeExceptionally(new IllegalStateException("publish refused: " + o));
        return f;
      }
      pendingPublishes.add(f);
    }
    return withTimeout(f, Duration.ofSeconds(30), "publish");
  }

  private void completePublish(NetworkEvent.PublishCompleted p) {
    CompletableFuture<Published> f;
    synchronized (pendingPublishes) {
      f = pendingPublishes.poll();
    }
    if (f != null) {
      complete(f, p);
    }
  }

  private static void complete(CompletableFuture<Published> f, NetworkEvent.PublishCompleted p) {
    if (p.duplicate()) {
      f.completeExceptionally(new IllegalStateException(
          "duplicate: message " + p.messageIdHex() + " was already published or seen on " + p.topic()));
    } else {
      f.complete(new Published(p.messageIdHex(), p.recipients().stream().map(PeerId::toBase58).toList()));
    }
  }

  @Override
  public CompletableFuture<Pong> ping(String peer, Duration timeout) {
    return resolvePeer(peer, timeout).thenCompose(id -> {
      CompletableFuture<Pong> f = new CompletableFuture<>();
      synchronized (this) {
        pendingPings.computeIfAbsent(id, k -> new ArrayDeque<>()).add(f);
      }
      Outcome o = net.ping(id);
      if (!o.isAccepted()) {
        synchronized (this) {
          pendingPings.getOrDefault(id, new ArrayDeque<>()).remove(f);
        }
        f.completeExceptionally(new IllegalStateException("ping refused: " + o));
      }
      return withTimeout(f, timeout, "ping");
    });
  }

  private void completePing(NetworkEvent.PingResult p) {
    CompletableFuture<Pong> f;
    synchronized (this) {
      ArrayDeque<CompletableFuture<Pong>> q = pendingPings.get(p.peer());
      f = q == null ? null : q.poll();
    }
    if (f == null) {
      return;
    }
    if (p.ok()) {
      f.complete(new Pong(id(p.peer()), p.rttNanos() / 1e6));
    } else {
      f.completeExceptionally(new IllegalStateException("ping failed: " + p.error()));
    }
  }

  @Override
  public CompletableFuture<StatusResponse> status(String peer, byte[] data, Duration timeout) {
    return resolvePeer(peer, timeout).thenCompose(id -> {
      CompletableFuture<StatusResponse> f = new CompletableFuture<>();
      List<byte[]> chunks = new ArrayList<>();
      RequestHandle h = net.sendRequest(id, LeanProtocol.STATUS, data, ev -> {
        switch (ev) {
          case NetworkEvent.ResponseChunk c -> chunks.add(c.data());
          case NetworkEvent.EndOfStream e -> {
            if (chunks.isEmpty()) {
              f.completeExceptionally(new IllegalStateException("status: the response had no chunk"));
            } else {
              f.complete(new StatusResponse(id(id), 0, chunks.get(0)));
            }
          }
          case NetworkEvent.RequestFailed r -> {
            RequestError err = r.error();
            if (err.kind() == RequestError.Kind.WIRE_ERROR) {
              byte[] msg = err.message() == null ? new byte[0] : err.message().getBytes(StandardCharsets.UTF_8);
              f.complete(new StatusResponse(id(id), err.rawCode(), msg));
            } else if (!chunks.isEmpty() && err.kind() == RequestError.Kind.STREAM_RESET) {
              f.complete(new StatusResponse(id(id), 0, chunks.get(0)));
            } else {
              f.completeExceptionally(new IllegalStateException("status failed: " + err));
            }
          }
          default -> { }
        }
      }, Duration.ofSeconds(1));
      if (!h.isAccepted()) {
        f.completeExceptionally(new IllegalStateException("status refused: " + h.outcome()));
      }
      return withTimeout(f, timeout, "status");
    });
  }

  /** A peer id, or a multiaddr: dialed first when not connected. */
  private CompletableFuture<PeerId> resolvePeer(String peer, Duration timeout) {
    if (peer.startsWith("/") || peer.startsWith("enr:")) {
      return dial(peer, false, timeout).thenApply(d -> {
        try {
          return PeerId.fromBase58(d.peer());
        } catch (DecodeException e) {
          throw new IllegalStateException(e.getMessage());
        }
      });
    }
    try {
      return CompletableFuture.completedFuture(PeerId.fromBase58(peer));
    } catch (DecodeException | RuntimeException e) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("bad peer id: " + peer));
    }
  }

  @Override
  public CompletableFuture<Void> subscribe(String topic) {
    return outcome(net.subscribe(topic), "subscribe");
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String topic) {
    return outcome(net.unsubscribe(topic), "unsubscribe");
  }

  private static CompletableFuture<Void> outcome(Outcome o, String what) {
    return o.isAccepted()
        ? CompletableFuture.completedFuture(null)
        : CompletableFuture.failedFuture(new IllegalStateException(what + " refused: " + o));
  }

  @Override
  public Info info() {
    NetworkSnapshot s = net.snapshot();
    List<String> addrs = s.listenAddresses().stream().map(Multiaddr::toString).toList();
    List<String> peers = s.peers().stream().map(p -> p.peer().toBase58()).toList();
    Map<String, List<String>> topics = new TreeMap<>();
    for (String t : s.topics()) {
      topics.put(t, List.of());
    }
    s.topicPeers().forEach((t, ps) -> topics.put(t, ps.stream().map(PeerId::toBase58).toList()));
    return new Info(net.localPeerId().toBase58(), addrs, peers, topics);
  }

  @Override
  public void close() {
    net.close();
  }

  private static <T> CompletableFuture<T> withTimeout(CompletableFuture<T> f, Duration timeout, String what) {
    return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
      Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      if (t instanceof TimeoutException) {
        return CompletableFuture.failedFuture(new IllegalStateException(what + " timed out after " + timeout.toMillis() + " ms"));
      }
      return CompletableFuture.failedFuture(t);
    });
  }
}
