package io.leanp2p.transport;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.Scheduler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The connections of one network, on its event loop (single writer, no locks). It dials and
 * listens through its transports, keeps at most one live connection per peer, serves inbound
 * streams from the {@link ProtocolRegistry} and reports lifecycle events.
 *
 * <p>Wiring: the manager is the transports' {@link Transport.ConnectionListener}; build the
 * transports with {@code c -> manager.onConnection(c)} (through a holder) and then the manager.
 *
 * <p><b>Duplicate rule.</b> When a second connection to a peer comes up, both sides keep the
 * same one: the connection dialed by the peer with the smaller PeerId (bytes compared unsigned);
 * between two connections dialed by the same side, the older one. The other is closed with
 * {@code LOCAL_CLOSE: duplicate connection} and is never reported as connected.
 *
 * <p><b>Dialing.</b> {@code /p2p/<id>} is optional on TCP (the proven PeerId must match it when
 * present); {@link ConnectionManagerConfig#requirePeerIdOnDial()} makes it mandatory (leanSpec
 * QUIC). Dialing our own PeerId is refused before any I/O; a dial that turns out to reach
 * ourselves is closed. A dial to a peer already connected returns that connection; concurrent
 * dials to one peer share one attempt.
 */
public final class ConnectionManager implements Transport.ConnectionListener {
  private final PeerId self;
  private final List<Transport> transports;
  private final ProtocolRegistry registry;
  private final Scheduler sched;
  private final ConnectionEvents events;
  private final ConnectionManagerConfig cfg;
  private final Map<PeerId, Connection> live = new HashMap<>();
  private final Map<PeerId, Future<Connection>> dialing = new HashMap<>();
  private final EnumCounters<CloseReason.Kind> dialFailures = new EnumCounters<>(CloseReason.Kind.class);
  private boolean closed;

  public ConnectionManager(
      PeerId self,
      List<Transport> transports,
      ProtocolRegistry registry,
      Scheduler sched,
      ConnectionEvents events,
      ConnectionManagerConfig cfg) {
    this.self = self;
    this.transports = List.copyOf(transports);
    this.registry = registry;
    this.sched = sched;
    this.events = events;
    this.cfg = cfg;
  }

  public PeerId self() {
    return self;
  }

  /** Failed dials by reason (any thread). */
  public EnumCounters<CloseReason.Kind> dialFailureCounters() {
    return dialFailures;
  }

  /** Starts listening on the first transport that handles {@code addr}. */
  public Future<Multiaddr> listen(Multiaddr addr) {
    for (Transport t : transports) {
      if (t.handles(addr)) {
        return t.listen(addr);
      }
    }
    return ImmediateEventExecutor.INSTANCE.newFailedFuture(
        new IllegalArgumentException("no transport for " + addr));
  }

  /** Dials {@code addr}; see the class comment for the rules. */
  public Future<Connection> dial(Multiaddr addr, Duration timeout) {
    PeerId expected = PeerId.fromMultiaddr(addr).orElse(null);
    if (closed) {
      return refuse(addr, expected, "connection manager closed");
    }
    if (expected == null && cfg.requirePeerIdOnDial()) {
      return refuse(addr, null, "address has no /p2p/<peer id>");
    }
    if (self.equals(expected)) {
      return refuse(addr, expected, "dial to self");
    }
    if (expected != null) {
      Connection existing = live.get(expected);
      if (existing != null && existing.isOpen()) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(existing);
      }
      Future<Connection> inFlight = dialing.get(expected);
      if (inFlight != null) {
        return inFlight;
      }
    }
    Transport transport = null;
    for (Transport t : transports) {
      if (t.handles(addr)) {
        transport = t;
        break;
      }
    }
    if (transport == null) {
      return refuse(addr, expected, "no transport for " + addr);
    }
    Promise<Connection> result = ImmediateEventExecutor.INSTANCE.newPromise();
    if (expected != null) {
      dialing.put(expected, result);
    }
    transport
        .dial(addr, expected, timeout)
        .addListener(
            f -> {
              if (expected != null) {
                dialing.remove(expected, result);
              }
              if (f.isSuccess()) {
                Connection c = (Connection) f.getNow();
                Connection kept = live.get(c.remotePeer());
                if (c.remotePeer().equals(self)) {
                  failDial(result, addr, expected, CloseReason.of(CloseReason.Kind.REFUSED, "dialed ourselves"));
                } else if (kept != null && kept.isOpen()) {
                  result.trySuccess(kept); // ours or the duplicate rule's choice
                } else {
                  failDial(result, addr, expected, CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, "connection closed right after the upgrade"));
                }
              } else {
                Throwable t = f.cause();
                CloseReason r =
                    t instanceof ConnectionException ce
                        ? ce.reason()
                        : CloseReason.of(CloseReason.Kind.IO_ERROR, String.valueOf(t.getMessage()));
                failDial(result, addr, expected, r);
              }
            });
    return result;
  }

  private Future<Connection> refuse(Multiaddr addr, PeerId expected, String why) {
    Promise<Connection> p = ImmediateEventExecutor.INSTANCE.newPromise();
    failDial(p, addr, expected, CloseReason.of(CloseReason.Kind.REFUSED, why));
    return p;
  }

  private void failDial(Promise<Connection> p, Multiaddr addr, PeerId expected, CloseReason r) {
    dialFailures.inc(r.kind());
    events.dialFailed(addr, expected, r);
    p.tryFailure(new ConnectionException(r));
  }

  /** Called by the transports for every new secured connection (on the event loop). */
  @Override
  public void onConnection(Connection c) {
    if (closed) {
      c.close("connection manager closed");
      return;
    }
    PeerId peer = c.remotePeer();
    if (peer.equals(self)) {
      c.close("connected to ourselves");
      return;
    }
    Connection existing = live.get(peer);
    if (existing != null && existing.isOpen()) {
      if (keepNew(existing, c)) {
        accept(c);
        existing.close("duplicate connection");
      } else {
        c.close("duplicate connection");
      }
      return;
    }
    if (live.size() >= cfg.maxConnections()) {
      c.close("connection limit");
      return;
    }
    accept(c);
  }

  /** The duplicate rule: prefer the connection dialed by the smaller PeerId, else the older. */
  private boolean keepNew(Connection existing, Connection fresh) {
    PeerId existingDialer = existing.direction() == Direction.OUTBOUND ? self : existing.remotePeer();
    PeerId freshDialer = fresh.direction() == Direction.OUTBOUND ? self : fresh.remotePeer();
    if (existingDialer.equals(freshDialer)) {
      return false;
    }
    return Arrays.compareUnsigned(freshDialer.toBytes(), existingDialer.toBytes()) < 0;
  }

  private void accept(Connection c) {
    live.put(c.remotePeer(), c);
    long timeout = cfg.negotiationTimeout().toMillis();
    c.inboundStreamHandler(s -> StreamNegotiator.listen(s, registry, sched, timeout));
    c.closeFuture()
        .addListener(
            f -> {
              live.remove(c.remotePeer(), c);
              CloseReason r = c.closeReason();
              events.disconnected(
                  c, r != null ? r : CloseReason.of(CloseReason.Kind.IO_ERROR, "closed"));
            });
    events.connected(c);
  }

  /** The live connection to {@code peer}, if any (event loop only). */
  public Optional<Connection> connection(PeerId peer) {
    return Optional.ofNullable(live.get(peer)).filter(Connection::isOpen);
  }

  /** The live connections (a copy; event loop only). */
  public Collection<Connection> connections() {
    return Collections.unmodifiableList(new ArrayList<>(live.values()));
  }

  /** Closes every connection and transport; idempotent. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Connection c : new ArrayList<>(live.values())) {
      c.close("shutdown");
    }
    for (Transport t : transports) {
      t.close();
    }
  }
}
