package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.types.Direction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer-manager policy (issue #14 item 1): who gets one of the {@code maxPeers} slots and who
 * loses it. Before it, 64 idle connections under fresh identities filled {@code maxPeers} and
 * every honest peer was accepted and closed at once for as long as they stayed.
 *
 * <ul>
 *   <li><b>Budgets.</b> Inbound peers take at most {@link PeerPolicyConfig#maxInbound} slots; the
 *       rest is for our own dials. A dial of ours that finds the table full takes the place of an
 *       inbound peer; a static peer (bootnode, persistent dial) always gets in, taking the place
 *       of a non-static one when the table is full (the swarm's connection cap has headroom).
 *   <li><b>Newcomers.</b> An inbound newcomer that finds no room takes the place of the inbound
 *       peer connected longest without sending anything ("silent": no gossipsub RPC, no req/resp
 *       request or response), or else of the lowest-scored inbound peer if that gossipsub score
 *       is below a newcomer's (0); otherwise it is refused. An honest peer speaks at once, so it
 *       is never the longest-silent one while idle sybils are around.
 *   <li><b>Silence.</b> A non-static peer still silent {@code silentGrace} after connecting is
 *       disconnected.
 *   <li><b>Graylist.</b> A non-static peer whose gossipsub score is below the graylist threshold
 *       is disconnected and refused in both directions for {@code graylistBackoff}.
 * </ul>
 *
 * <p>The policy owns no connection: it reads the peer table through a {@link View} and keeps only
 * its own facts per peer (when it connected, whether it spoke) and the bans. Loop thread only.
 */
final class PeerPolicy {
  /** What the policy reads about the connected peers (the peer table, the router's scores). */
  interface View {
    /** The connected peers. */
    Iterable<PeerId> peers();

    int size();

    /** The direction of the peer's connection. */
    Direction direction(PeerId peer);

    boolean isStatic(PeerId peer);

    /** The peer's gossipsub score (0 for an unknown peer). */
    double score(PeerId peer);
  }

  /** A verdict on a newcomer: accept, refuse, or accept after disconnecting {@code evict}. */
  record Verdict(Kind kind, PeerId evict, String reason) {
    enum Kind {
      ACCEPT,
      REFUSE,
      EVICT
    }

    static final Verdict ACCEPT = new Verdict(Kind.ACCEPT, null, null);
  }

  /** A peer the policy wants gone, and why. */
  record Disconnect(PeerId peer, String reason) {}

  /** Why a peer was disconnected or refused (metric labels). */
  enum Reason {
    /** Refused: graylisted, within its backoff. */
    GRAYLISTED,
    /** Refused: the inbound budget (or the table) is full and nobody could be evicted. */
    FULL,
    /** Evicted for a newcomer: the peer connected longest without a word. */
    SILENT_FOR_NEWCOMER,
    /** Evicted for a newcomer: the lowest score, below a newcomer's. */
    LOW_SCORE_FOR_NEWCOMER,
    /** Evicted to make room for one of our dials or for a static peer. */
    FOR_OUTBOUND_OR_STATIC,
    /** Disconnected: silent past the grace period. */
    SILENT,
    /** Disconnected: gossipsub score below the graylist threshold. */
    SCORE_GRAYLISTED
  }

  /**
   * Counters (any thread).
   *
   * @param refused newcomers refused, by reason
   * @param evicted peers disconnected by the policy, by reason
   * @param banned peers within their graylist backoff now
   */
  record Counters(Map<Reason, Long> refused, Map<Reason, Long> evicted, int banned) {}

  private static final class Facts {
    final long connectedAt;
    boolean spoke;

    Facts(long connectedAt) {
      this.connectedAt = connectedAt;
    }
  }

  private final PeerPolicyConfig cfg;
  private final int maxPeers;
  private final int maxInbound;
  private final double graylistThreshold;
  private final View view;
  private final Map<PeerId, Facts> facts = new HashMap<>();
  /**
   * Peers the policy told the swarm to disconnect that are still in the table (a close completes
   * later): they hold no slot in the budgets and are never picked twice.
   */
  private final Map<PeerId, Long> leaving = new HashMap<>();
  /** A peer still in the table this long after it was told to leave counts again (a close that never came). */
  private static final long LEAVING_MAX_NANOS = 10_000_000_000L;
  private long lastNow;
  private final LinkedHashMap<PeerId, Long> bannedUntil = new LinkedHashMap<>();
  private final long[] refused = new long[Reason.values().length];
  private final long[] evicted = new long[Reason.values().length];
  private volatile Counters published = new Counters(Map.of(), Map.of(), 0);

  PeerPolicy(PeerPolicyConfig cfg, int maxPeers, double graylistThreshold, View view) {
    this.cfg = cfg;
    this.maxPeers = maxPeers;
    this.maxInbound = cfg.maxInbound(maxPeers);
    this.graylistThreshold = graylistThreshold;
    this.view = view;
  }

  Counters counters() {
    return published;
  }

  int maxInbound() {
    return maxInbound;
  }

  // ------------------------------------------------------------------ newcomers

  /** The verdict on {@code peer}, not connected yet, arriving over a connection in {@code dir}. */
  Verdict admit(PeerId peer, Direction dir, boolean isStatic, long now) {
    lastNow = now;
    Long until = bannedUntil.get(peer);
    if (until != null && now - until >= 0) {
      bannedUntil.remove(peer);
      until = null;
    }
    if (until != null && !isStatic) {
      return refuse(Reason.GRAYLISTED, "graylisted for " + ((until - now) / 1_000_000_000L) + " s more");
    }
    int size = 0;
    int inbound = 0;
    for (PeerId p : view.peers()) {
      if (!leaving.containsKey(p)) {
        size++;
        if (view.direction(p) == Direction.INBOUND) {
          inbound++;
        }
      }
    }
    if (isStatic || dir == Direction.OUTBOUND) {
      if (size < maxPeers) {
        return Verdict.ACCEPT;
      }
      PeerId victim = worst(isStatic);
      if (victim != null) {
        return evict(victim, Reason.FOR_OUTBOUND_OR_STATIC,
            "room for " + (isStatic ? "a static peer" : "one of our dials"));
      }
      return isStatic ? Verdict.ACCEPT : refuse(Reason.FULL, "max peers (" + maxPeers + ") reached");
    }
    if (inbound < maxInbound && size < maxPeers) {
      return Verdict.ACCEPT;
    }
    if (cfg.evictForNewcomers()) {
      PeerId silent = longestSilent();
      if (silent != null) {
        return evict(silent, Reason.SILENT_FOR_NEWCOMER, "room for a newcomer: connected longest without a word");
      }
      PeerId low = lowestScored(Direction.INBOUND);
      if (low != null && view.score(low) < 0) {
        return evict(low, Reason.LOW_SCORE_FOR_NEWCOMER,
            "room for a newcomer: score " + Math.round(view.score(low) * 100) / 100.0);
      }
    }
    return refuse(Reason.FULL, inbound >= maxInbound
        ? "inbound peers (" + maxInbound + " of max peers " + maxPeers + ") reached"
        : "max peers (" + maxPeers + ") reached");
  }

  /** The inbound non-static peer connected longest without a word, or null. */
  private PeerId longestSilent() {
    PeerId best = null;
    long bestAt = 0;
    for (PeerId p : view.peers()) {
      Facts f = facts.get(p);
      if (f == null || f.spoke || leaving.containsKey(p) || view.direction(p) != Direction.INBOUND || view.isStatic(p)) {
        continue;
      }
      if (best == null || f.connectedAt - bestAt < 0) {
        best = p;
        bestAt = f.connectedAt;
      }
    }
    return best;
  }

  /** The lowest-scored non-static peer in {@code dir} (any direction when null), or null. */
  private PeerId lowestScored(Direction dir) {
    PeerId best = null;
    double bestScore = Double.POSITIVE_INFINITY;
    for (PeerId p : view.peers()) {
      if (view.isStatic(p) || leaving.containsKey(p) || (dir != null && view.direction(p) != dir)) {
        continue;
      }
      double s = view.score(p);
      if (s < bestScore) {
        best = p;
        bestScore = s;
      }
    }
    return best;
  }

  /**
   * For one of our dials or a static peer: the longest-silent inbound peer, else the
   * lowest-scored inbound one; for a static peer also any non-static one.
   */
  private PeerId worst(boolean anyDirection) {
    PeerId p = longestSilent();
    if (p == null) {
      p = lowestScored(Direction.INBOUND);
    }
    if (p == null && anyDirection) {
      p = lowestScored(null);
    }
    return p;
  }

  private Verdict refuse(Reason r, String why) {
    refused[r.ordinal()]++;
    publish();
    return new Verdict(Verdict.Kind.REFUSE, null, why);
  }

  private Verdict evict(PeerId victim, Reason r, String why) {
    evicted[r.ordinal()]++;
    leaving.put(victim, lastNow);
    publish();
    return new Verdict(Verdict.Kind.EVICT, victim, why);
  }

  // ------------------------------------------------------------------ peers in the table

  void connected(PeerId peer, long now) {
    facts.putIfAbsent(peer, new Facts(now));
  }

  void disconnected(PeerId peer) {
    facts.remove(peer);
    leaving.remove(peer);
  }

  /** The peer sent a gossipsub RPC, a request or a response. */
  void spoke(PeerId peer) {
    Facts f = facts.get(peer);
    if (f != null) {
      f.spoke = true;
    }
  }

  /** Whether the peer has spoken since it connected (tests, snapshots). */
  boolean hasSpoken(PeerId peer) {
    Facts f = facts.get(peer);
    return f != null && f.spoke;
  }

  /**
   * The peers to disconnect now: silent past the grace period, or graylisted (who are also
   * banned for the backoff). Call every second or so.
   */
  List<Disconnect> tick(long now) {
    lastNow = now;
    List<Disconnect> out = new ArrayList<>();
    long grace = cfg.silentGrace().toNanos();
    long backoff = cfg.graylistBackoff().toNanos();
    for (PeerId p : view.peers()) {
      if (view.isStatic(p) || leaving.containsKey(p)) {
        continue;
      }
      if (backoff > 0 && view.score(p) < graylistThreshold) {
        ban(p, now + backoff);
        evicted[Reason.SCORE_GRAYLISTED.ordinal()]++;
        leaving.put(p, now);
        out.add(new Disconnect(p, "graylisted: gossipsub score " + Math.round(view.score(p) * 100) / 100.0
            + " below " + graylistThreshold + ", kept out for " + cfg.graylistBackoff().toSeconds() + " s"));
        continue;
      }
      Facts f = facts.get(p);
      if (grace > 0 && f != null && !f.spoke && now - f.connectedAt >= grace) {
        evicted[Reason.SILENT.ordinal()]++;
        leaving.put(p, now);
        out.add(new Disconnect(p, "silent: no gossipsub or req/resp traffic within "
            + cfg.silentGrace().toSeconds() + " s"));
      }
    }
    // a peer told to leave that is gone without a word of it (bounded, whatever the swarm does)
    java.util.Set<PeerId> present = new java.util.HashSet<>();
    view.peers().forEach(present::add);
    leaving.entrySet().removeIf(e -> !present.contains(e.getKey()) || now - e.getValue() > LEAVING_MAX_NANOS);
    for (Iterator<Long> it = bannedUntil.values().iterator(); it.hasNext(); ) {
      if (now - it.next() >= 0) {
        it.remove();
      }
    }
    publish();
    return out;
  }

  private void ban(PeerId peer, long until) {
    bannedUntil.remove(peer);
    bannedUntil.put(peer, until);
    while (bannedUntil.size() > cfg.maxBanned()) {
      bannedUntil.remove(bannedUntil.keySet().iterator().next());
    }
  }

  boolean isBanned(PeerId peer, long now) {
    Long until = bannedUntil.get(peer);
    return until != null && now - until < 0;
  }

  private void publish() {
    Map<Reason, Long> r = new java.util.EnumMap<>(Reason.class);
    Map<Reason, Long> e = new java.util.EnumMap<>(Reason.class);
    for (Reason x : Reason.values()) {
      if (refused[x.ordinal()] != 0) {
        r.put(x, refused[x.ordinal()]);
      }
      if (evicted[x.ordinal()] != 0) {
        e.put(x, evicted[x.ordinal()]);
      }
    }
    published = new Counters(Map.copyOf(r), Map.copyOf(e), bannedUntil.size());
  }
}
