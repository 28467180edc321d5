package io.leanp2p.node.swarm;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.Transport;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.Scheduler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one network: its transports, the {@link PeerTable} (the only owner of live
 * connections), dialing, and the {@link Service}s that serve streams. Transports announce every
 * secured connection here; the swarm settles duplicates, asks the {@link Admission} policy about
 * new peers, serves inbound streams through multistream-select to the services' protocols, and
 * tells its {@link SwarmListener} and the services when peers come and go. Event loop only; no
 * locks.
 *
 * <p><b>Duplicate rule.</b> One connection per peer is live: when a second one comes up, both
 * sides keep the one dialed by the peer with the smaller PeerId (bytes compared unsigned); between
 * two dialed by the same side, the older. The loser is not closed at once: it <em>drains</em> — it
 * still serves the streams the remote opens on it (the remote may not have the survivor yet: the
 * two ends of a connection finish their handshakes at different moments), no new stream of ours
 * goes to it, exchanges already on it finish. It closes with {@code LOCAL_CLOSE: duplicate
 * connection} once the remote has shown it uses the survivor (it opened a stream there) and two
 * checks a {@link SwarmConfig#duplicateGrace()} apart found the loser carrying no stream; at the
 * latest after {@link #MAX_DRAIN_GRACES} graces, so that a remote cannot keep a duplicate open. When the new connection wins, the services hear
 * {@link Service#onConnectionReplaced}; the host sees nothing (the peer stays connected). When the
 * live connection dies while a draining one is still open, that one is promoted.
 *
 * <p><b>Dialing.</b> See {@link Dialer}. A dial to a peer already connected returns its live
 * connection; a dial completes with the peer's live connection at that moment (the survivor, when
 * the duplicate rule already ran against the dialed one).
 */
public final class Swarm implements Transport.ConnectionListener {
  private static final Logger LOG = LoggerFactory.getLogger(Swarm.class);
  /** How long {@link #close()} waits for connections to close cleanly before closing transports. */
  private static final long CLOSE_GRACE_MS = 1_000;
  private static final long CLOSE_FLUSH_MS = 50;
  /** A draining connection closes after this many graces at the latest, however busy. */
  static final int MAX_DRAIN_GRACES = 10;

  private final PeerId self;
  private final Scheduler sched;
  private final SwarmConfig cfg;
  private final List<Transport> transports;
  private final ProtocolRegistry registry = new ProtocolRegistry();
  private final PeerTable table;
  private final Dialer dialer;
  private final List<Service> services = new ArrayList<>();
  /** Connections on which the remote has opened a stream (it knows them). */
  private final java.util.Set<Connection> usedByRemote = new java.util.HashSet<>();
  private SwarmListener listener = SwarmListener.NONE;
  private Admission admission = Admission.ACCEPT_ALL;
  private long refusedByAdmission;
  private long refusedAtLimit;
  private boolean closed;

  /**
   * @param loop runs a task on the event loop (DNS answers hop back through it)
   * @param transportFactory builds the transports, given the listener they announce connections to
   */
  public Swarm(
      PeerId self,
      Scheduler sched,
      Executor loop,
      SwarmConfig cfg,
      Function<Transport.ConnectionListener, List<Transport>> transportFactory) {
    this.self = self;
    this.sched = sched;
    this.cfg = cfg;
    this.table = new PeerTable(sched, cfg.negotiationTimeout().toMillis(), cfg.peerNames());
    this.transports = List.copyOf(transportFactory.apply(this));
    this.dialer = new Dialer(self, transports, sched, loop, cfg);
  }

  public PeerId self() {
    return self;
  }

  /** The peer table: who is connected, and the way to reach them. */
  public PeerTable peers() {
    return table;
  }

  /** The protocols served on inbound streams (identify advertises them). */
  public ProtocolRegistry protocols() {
    return registry;
  }

  /** Set once, before the first connection. */
  public void setListener(SwarmListener l) {
    this.listener = l;
  }

  /** Set once, before the first connection: who decides about new peers. */
  public void setAdmission(Admission a) {
    this.admission = a;
  }

  /** Adds a service: its protocols are served from now on and it hears about peers. */
  public void addService(Service s) {
    services.add(s);
    for (String p : s.protocols()) {
      registry.register(p, (stream, leftover) -> {
        // the admission policy hears of the first bytes on each inbound stream (services do not know)
        WatchedStream watched = new WatchedStream(stream, () -> admission.onTraffic(stream.connection().remotePeer(), p));
        if (leftover.isReadable()) {
          watched.sawData();
        }
        s.onInboundStream(p, watched, leftover);
      });
    }
  }

  // ------------------------------------------------------------------ listen and dial

  /** Starts listening on the first transport that handles {@code addr}. */
  public Future<Multiaddr> listen(Multiaddr addr) {
    for (Transport t : transports) {
      if (t.handles(addr)) {
        return t.listen(addr);
      }
    }
    return ImmediateEventExecutor.INSTANCE.newFailedFuture(new IllegalArgumentException("no transport for " + addr));
  }

  /**
   * Dials {@code addr}; the future yields the peer's live connection. A failure is counted and
   * reported to the listener ({@link SwarmListener#dialFailed}) before the future fails.
   */
  public Future<Connection> dial(Multiaddr addr, Duration timeout) {
    PeerId expected = PeerId.fromMultiaddr(addr).orElse(null);
    Promise<Connection> result = ImmediateEventExecutor.INSTANCE.newPromise();
    if (closed) {
      failDial(result, addr, expected, CloseReason.of(CloseReason.Kind.REFUSED, "swarm closed"));
      return result;
    }
    if (expected != null && table.connection(expected).isPresent()) {
      return result.setSuccess(table.connection(expected).get());
    }
    dialer.dial(addr, timeout).addListener(f -> {
      if (!f.isSuccess()) {
        Throwable t = f.cause();
        failDial(result, addr, expected, t instanceof ConnectionException ce
            ? ce.reason() : CloseReason.of(CloseReason.Kind.IO_ERROR, String.valueOf(t)));
        return;
      }
      Connection c = (Connection) f.getNow();
      // the transport announced it (onConnection) before completing the dial: the table knows
      var live = table.connection(c.remotePeer());
      if (live.isPresent()) {
        result.trySuccess(live.get()); // ours, or the duplicate rule's survivor
      } else {
        CloseReason why = c.closeReason() != null
            ? c.closeReason() : CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, "connection closed right after the upgrade");
        failDial(result, addr, expected, why);
      }
    });
    return result;
  }

  private void failDial(Promise<Connection> p, Multiaddr addr, PeerId expected, CloseReason r) {
    table.countDialFailure(r);
    listener.dialFailed(addr, expected, r);
    p.tryFailure(new ConnectionException(r));
  }

  /** Closes every connection to {@code peer} (live and draining). */
  public void disconnect(PeerId peer, String why) {
    PeerTable.Entry e = table.entry(peer);
    if (e != null) {
      for (Connection d : List.copyOf(e.draining.keySet())) {
        d.close(why);
      }
      e.live.close(why);
    }
  }

  /** The periodic tick, handed to every service. */
  public void tick() {
    long now = sched.nanoTime();
    for (Service s : services) {
      s.onTick(now);
    }
  }

  /** The peer table's samples, the swarm's refusals, and every service's samples. */
  public void metrics(MetricsSnapshot.Builder b) {
    table.metrics(b);
    b.counter("leanp2p_connections_refused_total", "new connections closed at once, by cause",
        Map.of("cause", "admission"), refusedByAdmission);
    b.counter("leanp2p_connections_refused_total", "new connections closed at once, by cause",
        Map.of("cause", "connection_limit"), refusedAtLimit);
    for (Service s : services) {
      s.metrics(b);
    }
  }

  // ------------------------------------------------------------------ new connections

  /** Called by the transports for every new secured connection (event loop). */
  @Override
  public void onConnection(Connection c) {
    PeerId peer = c.remotePeer();
    if (closed) {
      c.close("swarm closed");
      return;
    }
    if (peer.equals(self)) {
      c.close("connected to ourselves");
      return;
    }
    if (table.connections().size() >= cfg.maxConnections()) {
      refusedAtLimit++;
      c.close("connection limit");
      return;
    }
    PeerTable.Entry e = table.entry(peer);
    if (e != null) {
      onDuplicate(e, c);
      return;
    }
    Admission.Decision d = admission.admit(table, peer, c.direction(), c.remoteAddress());
    switch (d.kind()) {
      case REFUSE -> {
        refusedByAdmission++;
        c.close(d.reason());
        return;
      }
      case EVICT -> disconnect(d.evict(), d.reason());
      case ACCEPT -> {}
    }
    serve(c);
    table.add(c);
    ConnectedPeer view = table.peer(peer).orElseThrow();
    listener.peerConnected(view);
    for (Service s : List.copyOf(services)) {
      s.onPeerConnected(view);
    }
  }

  /** A second connection to a connected peer: both are served, the duplicate rule picks the live one. */
  private void onDuplicate(PeerTable.Entry e, Connection fresh) {
    serve(fresh);
    if (!e.live.isOpen() || keepNew(e.live, fresh)) {
      Connection old = e.live;
      e.live = fresh;
      drain(e, old);
      LOG.debug("{}: connection {} replaces {} (duplicate rule)", e.peer, fresh.remoteAddress(), old.remoteAddress());
      ConnectedPeer view = e.view();
      for (Service s : List.copyOf(services)) {
        s.onConnectionReplaced(view);
      }
    } else {
      drain(e, fresh);
    }
  }

  private void drain(PeerTable.Entry e, Connection loser) {
    if (loser.isOpen()) {
      long grace = cfg.duplicateGrace().toNanos();
      scheduleDrainCheck(e, loser, grace, sched.nanoTime() + MAX_DRAIN_GRACES * grace, false);
    }
  }

  /**
   * Closes a draining connection once the remote uses the survivor and the loser was idle at this
   * check and the one before; at the deadline in any case.
   */
  private void scheduleDrainCheck(PeerTable.Entry e, Connection loser, long delay, long deadline, boolean idleBefore) {
    e.draining.put(loser, sched.schedule(delay, () -> {
      if (e.draining.get(loser) == null) {
        return; // promoted or gone
      }
      boolean idle = loser.openStreams() == 0;
      if ((idle && idleBefore && usedByRemote.contains(e.live)) || sched.nanoTime() - deadline >= 0) {
        loser.close("duplicate connection");
      } else {
        scheduleDrainCheck(e, loser, delay, deadline, idle);
      }
    }));
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

  /** Serves the connection's inbound streams and watches it close. */
  private void serve(Connection c) {
    long timeout = cfg.negotiationTimeout().toMillis();
    c.inboundStreamHandler(s -> {
      usedByRemote.add(c);
      StreamNegotiator.listen(s, registry, sched, timeout);
    });
    c.closeFuture().addListener(f -> {
      usedByRemote.remove(c);
      onClosed(c);
    });
  }

  private void onClosed(Connection c) {
    PeerTable.Entry e = table.entry(c.remotePeer());
    if (e == null) {
      return;
    }
    Scheduler.Cancellable drainTimer = e.draining.remove(c);
    if (drainTimer != null) {
      drainTimer.cancel();
      return;
    }
    if (e.live != c) {
      return;
    }
    for (Connection d : List.copyOf(e.draining.keySet())) {
      if (d.isOpen() && !closed) {
        e.draining.remove(d).cancel();
        e.live = d; // promoted: the peer stays connected
        ConnectedPeer view = e.view();
        for (Service s : List.copyOf(services)) {
          s.onConnectionReplaced(view);
        }
        return;
      }
    }
    CloseReason r = c.closeReason() != null ? c.closeReason() : CloseReason.of(CloseReason.Kind.IO_ERROR, "closed");
    ConnectedPeer view = e.view();
    table.remove(c.remotePeer(), c.direction(), r);
    for (Service s : List.copyOf(services)) {
      s.onPeerDisconnected(view.peer(), r);
    }
    listener.peerDisconnected(view, r);
  }

  // ------------------------------------------------------------------ close

  /**
   * Closes every connection, waiting (at most 1 s) until they are closed so that remotes get our
   * CONNECTION_CLOSE / FIN, then the listeners and transports. The future completes on the loop.
   */
  public CompletableFuture<Void> close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.complete(null);
      return done;
    }
    closed = true;
    List<Connection> open = new ArrayList<>(table.connections());
    LOG.debug("closing {} connection(s)", open.size());
    Runnable finish = () -> {
      if (!done.isDone()) {
        for (Connection c : table.connections()) {
          c.close("shutdown"); // anything that raced in
        }
        for (Transport t : transports) {
          t.close();
        }
        done.complete(null);
      }
    };
    if (open.isEmpty()) {
      finish.run();
      return done;
    }
    int[] remaining = {open.size()};
    Scheduler.Cancellable guard = sched.scheduleMillis(CLOSE_GRACE_MS, finish);
    for (Connection c : open) {
      c.closeFuture().addListener(f -> {
        if (--remaining[0] == 0) {
          guard.cancel();
          // let the last CONNECTION_CLOSE / FIN datagrams leave before the sockets close
          sched.scheduleMillis(CLOSE_FLUSH_MS, finish);
        }
      });
      c.close("shutdown");
    }
    return done;
  }
}
