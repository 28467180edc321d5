package io.leanp2p.node.swarm;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.types.Direction;
import io.leanp2p.types.TransportKind;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.Scheduler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The only owner of a network's live connections, per peer. Each connected peer has exactly one
 * <em>live</em> connection, where every new stream goes (requests, pings, identify, gossip), and
 * possibly <em>draining</em> ones: losers of the duplicate rule that stay open for a grace period
 * so that exchanges already running on them can finish, and then close. Services ask the table
 * for the live connection at the moment they need it ({@link #openStream}, {@link #connection})
 * and never keep it, so a swap, a close or a reconnect can leave no stale handle behind.
 *
 * <p>Only the {@link Swarm} changes the table; everything runs on the network's event loop. The
 * table also keeps the lean metrics about peers ({@code lean_connected_peers}, connection and
 * disconnection events).
 */
public final class PeerTable {
  private static final String[] RESULTS = {"success", "timeout", "error"};
  private static final String[] DISCONNECT_REASONS = {"timeout", "remote_close", "local_close", "error"};

  private final Scheduler sched;
  private final long negotiationTimeoutMs;
  private final Map<PeerId, String> names;
  private final Map<PeerId, Entry> peers = new LinkedHashMap<>();
  /** [direction][success|timeout|error] */
  private final long[][] connectionEvents = new long[2][3];
  /** [direction][timeout|remote_close|local_close|error] */
  private final long[][] disconnectionEvents = new long[2][4];

  /** One connected peer. */
  static final class Entry {
    final PeerId peer;
    Connection live;
    /** Losers of the duplicate rule, each with the timer that closes it. */
    final Map<Connection, Scheduler.Cancellable> draining = new LinkedHashMap<>();
    String agentVersion;

    Entry(PeerId peer, Connection live) {
      this.peer = peer;
      this.live = live;
    }

    ConnectedPeer view() {
      return new ConnectedPeer(peer, live.remoteAddress(), live.direction(), live.transport(), agentVersion);
    }
  }

  PeerTable(Scheduler sched, long negotiationTimeoutMs, Map<PeerId, String> names) {
    this.sched = sched;
    this.negotiationTimeoutMs = negotiationTimeoutMs;
    this.names = names;
  }

  // ------------------------------------------------------------------ queries (any service)

  public boolean isConnected(PeerId peer) {
    return peers.containsKey(peer);
  }

  /** Connected peers. */
  public int size() {
    return peers.size();
  }

  /** The connected peers, in connection order. */
  public List<ConnectedPeer> peers() {
    List<ConnectedPeer> out = new ArrayList<>(peers.size());
    for (Entry e : peers.values()) {
      out.add(e.view());
    }
    return out;
  }

  public Optional<ConnectedPeer> peer(PeerId peer) {
    Entry e = peers.get(peer);
    return e == null ? Optional.empty() : Optional.of(e.view());
  }

  /**
   * The peer's live connection, for immediate use only (hand it to a protocol call now; never
   * keep it: the next event may swap it).
   */
  public Optional<Connection> connection(PeerId peer) {
    Entry e = peers.get(peer);
    return e == null || !e.live.isOpen() ? Optional.empty() : Optional.of(e.live);
  }

  /**
   * Opens a stream to {@code peer} on its live connection and negotiates the first of {@code
   * protocols} the remote accepts. Exactly one callback follows; {@code failed(null, "NOT_CONNECTED:
   * ...")} when the peer has no live connection.
   */
  public void openStream(PeerId peer, List<String> protocols, StreamNegotiator.SelectCallback cb) {
    Optional<Connection> c = connection(peer);
    if (c.isEmpty()) {
      cb.failed(null, "NOT_CONNECTED: no connection to " + peer);
      return;
    }
    StreamNegotiator.open(c.get(), protocols, sched, negotiationTimeoutMs, cb);
  }

  /** Every connection the table owns: live and draining (a copy). */
  public Collection<Connection> connections() {
    List<Connection> out = new ArrayList<>();
    for (Entry e : peers.values()) {
      out.add(e.live);
      out.addAll(e.draining.keySet());
    }
    return out;
  }

  /** Losers of the duplicate rule still open. */
  public int drainingCount() {
    int n = 0;
    for (Entry e : peers.values()) {
      n += e.draining.size();
    }
    return n;
  }

  /**
   * The {@code client} label of the lean metrics for {@code peer}: its configured name (a devnet's
   * {@code zeam_0}), else the client from its identify agent version (the part before the first
   * '/', lower-case), else {@code unknown}.
   */
  public String clientOf(PeerId peer) {
    String name = names.get(peer);
    if (name != null) {
      return name;
    }
    Entry e = peers.get(peer);
    return e == null ? "unknown" : clientName(e.agentVersion);
  }

  /** The client part of an agent version, reduced to a safe, bounded label value. */
  static String clientName(String agentVersion) {
    if (agentVersion == null) {
      return "unknown";
    }
    int slash = agentVersion.indexOf('/');
    String head = (slash < 0 ? agentVersion : agentVersion.substring(0, slash)).toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < head.length() && sb.length() < 32; i++) {
      char c = head.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
        sb.append(c);
      }
    }
    return sb.isEmpty() ? "unknown" : sb.toString();
  }

  /** Identify told us the peer's agent version (kept while the peer stays connected). */
  public void noteAgent(PeerId peer, String agentVersion) {
    Entry e = peers.get(peer);
    if (e != null) {
      e.agentVersion = agentVersion;
    }
  }

  /** The lean peer metrics (names and labels as leanMetrics defines them) and the connection gauges. */
  public void metrics(MetricsSnapshot.Builder b) {
    Map<String, Integer> byClient = new TreeMap<>();
    Map<String, Integer> byDirTransport = new TreeMap<>();
    for (Entry e : peers.values()) {
      byClient.merge(clientOf(e.peer), 1, Integer::sum);
      byDirTransport.merge(e.live.direction().wireName() + "/" + transportLabel(e.live.transport()), 1, Integer::sum);
    }
    if (byClient.isEmpty()) {
      b.gauge("lean_connected_peers", "Number of connected peers", Map.of("client", "unknown"), 0);
    }
    byClient.forEach((client, n) ->
        b.gauge("lean_connected_peers", "Number of connected peers", Map.of("client", client), n));
    for (Direction d : Direction.values()) {
      for (int r = 0; r < RESULTS.length; r++) {
        b.counter("lean_peer_connection_events_total", "Total number of peer connection events",
            Map.of("direction", d.wireName(), "result", RESULTS[r]), connectionEvents[d.ordinal()][r]);
      }
      for (int r = 0; r < DISCONNECT_REASONS.length; r++) {
        b.counter("lean_peer_disconnection_events_total", "Total number of peer disconnection events",
            Map.of("direction", d.wireName(), "reason", DISCONNECT_REASONS[r]), disconnectionEvents[d.ordinal()][r]);
      }
      for (TransportKind k : TransportKind.values()) {
        b.gauge("leanp2p_peers", "connected peers", Map.of("direction", d.wireName(), "transport", transportLabel(k)),
            byDirTransport.getOrDefault(d.wireName() + "/" + transportLabel(k), 0));
      }
    }
    b.gauge("leanp2p_connections", "connections the peer table owns", Map.of("state", "live"), peers.size());
    b.gauge("leanp2p_connections", "connections the peer table owns", Map.of("state", "draining"), drainingCount());
  }

  private static String transportLabel(TransportKind k) {
    return k.name().toLowerCase(Locale.ROOT);
  }

  // ------------------------------------------------------------------ changes (the swarm only)

  Entry entry(PeerId peer) {
    return peers.get(peer);
  }

  void add(Connection c) {
    peers.put(c.remotePeer(), new Entry(c.remotePeer(), c));
    connectionEvents[c.direction().ordinal()][0]++;
  }

  Entry remove(PeerId peer, Direction direction, CloseReason reason) {
    Entry e = peers.remove(peer);
    if (e != null) {
      for (Scheduler.Cancellable t : e.draining.values()) {
        t.cancel();
      }
      disconnectionEvents[direction.ordinal()][disconnectReason(reason)]++;
    }
    return e;
  }

  /** A failed dial (outbound), for {@code lean_peer_connection_events_total}. */
  void countDialFailure(CloseReason reason) {
    connectionEvents[Direction.OUTBOUND.ordinal()][reason.kind() == CloseReason.Kind.TIMEOUT ? 1 : 2]++;
  }

  private static int disconnectReason(CloseReason r) {
    return switch (r.kind()) {
      case TIMEOUT -> 0;
      case REMOTE_CLOSE -> 1;
      case LOCAL_CLOSE -> 2;
      default -> 3;
    };
  }
}
