package io.leanp2p.protocol.gossipsub;

import io.leanp2p.crypto.PeerId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import io.leanp2p.config.PeerScoreParams;
import io.leanp2p.config.TopicScoreParams;

/**
 * Gossipsub v1.1 peer scoring: per-topic P1 (time in mesh), P2 (first deliveries), P3 (mesh
 * delivery deficit), P3b (mesh failure penalty), P4 (invalid messages), and peer-level P5
 * (application score), P6 (IP colocation), P7 (behaviour penalty). Decay runs every decay
 * interval; disconnected peers keep their score for {@code retainScore}. Single-threaded (the
 * router's thread).
 */
final class PeerScoring {
  private final PeerScoreParams params;
  private final Map<PeerId, PeerStats> peers = new HashMap<>();
  private final Map<String, Set<PeerId>> peersByIp = new HashMap<>();

  static final class TopicStats {
    boolean inMesh;
    long graftTime;
    long meshTimeNanos;
    double firstDeliveries;
    double meshDeliveries;
    boolean meshDeliveriesActive;
    double meshFailurePenalty;
    double invalidDeliveries;
  }

  static final class PeerStats {
    final Map<String, TopicStats> topics = new HashMap<>();
    boolean connected = true;
    long expireAt;
    String ip;
    double behaviourPenalty;
    double appScore;
  }

  PeerScoring(PeerScoreParams params) {
    this.params = params;
  }

  PeerScoreParams params() {
    return params;
  }

  static boolean isLoopback(String ip) {
    return ip != null && (ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1"));
  }

  void addPeer(PeerId peer, String ip) {
    PeerStats s = peers.computeIfAbsent(peer, p -> new PeerStats());
    s.connected = true;
    if (s.ip != null) {
      removeIp(peer, s.ip);
    }
    // loopback peers are exempt from P6 (as go-libp2p's IP whitelist allows): every peer of a local
    // devnet or test shares 127.0.0.1, and colocation there says nothing about a Sybil attack
    s.ip = isLoopback(ip) ? null : ip;
    ip = s.ip;
    if (ip != null && !ip.isEmpty()) {
      peersByIp.computeIfAbsent(ip, k -> new HashSet<>()).add(peer);
    }
  }

  void removePeer(PeerId peer, long now) {
    PeerStats s = peers.get(peer);
    if (s == null) {
      return;
    }
    if (s.ip != null) {
      removeIp(peer, s.ip);
    }
    // mesh failures are charged as if pruned
    for (Map.Entry<String, TopicStats> e : s.topics.entrySet()) {
      if (e.getValue().inMesh) {
        leaveMesh(e.getKey(), e.getValue());
      }
    }
    if (score(peer, now) > 0) {
      peers.remove(peer); // nothing worth retaining
    } else {
      s.connected = false;
      s.expireAt = now + params.retainScoreMillis() * 1_000_000L;
    }
  }

  private void removeIp(PeerId peer, String ip) {
    Set<PeerId> set = peersByIp.get(ip);
    if (set != null) {
      set.remove(peer);
      if (set.isEmpty()) {
        peersByIp.remove(ip);
      }
    }
  }

  void setApplicationScore(PeerId peer, double score) {
    PeerStats s = peers.get(peer);
    if (s != null) {
      s.appScore = score;
    }
  }

  private TopicStats topic(PeerId peer, String topic) {
    PeerStats s = peers.get(peer);
    if (s == null || params.topic(topic) == null) {
      return null;
    }
    return s.topics.computeIfAbsent(topic, t -> new TopicStats());
  }

  void graft(PeerId peer, String topic, long now) {
    TopicStats t = topic(peer, topic);
    if (t != null) {
      t.inMesh = true;
      t.graftTime = now;
      t.meshTimeNanos = 0;
      t.meshDeliveriesActive = false;
    }
  }

  void prune(PeerId peer, String topic) {
    TopicStats t = topic(peer, topic);
    if (t != null && t.inMesh) {
      leaveMesh(topic, t);
    }
  }

  private void leaveMesh(String topic, TopicStats t) {
    TopicScoreParams p = params.topic(topic);
    if (p != null && t.meshDeliveriesActive && t.meshDeliveries < p.meshMessageDeliveriesThreshold()) {
      double deficit = p.meshMessageDeliveriesThreshold() - t.meshDeliveries;
      t.meshFailurePenalty += deficit * deficit;
    }
    t.inMesh = false;
    t.meshDeliveriesActive = false;
  }

  /** {@code peer} delivered the first copy of a message that then validated. */
  void firstDelivery(PeerId peer, String topic) {
    TopicStats t = topic(peer, topic);
    if (t == null) {
      return;
    }
    TopicScoreParams p = params.topic(topic);
    t.firstDeliveries = Math.min(t.firstDeliveries + 1, p.firstMessageDeliveriesCap());
    if (t.inMesh) {
      t.meshDeliveries = Math.min(t.meshDeliveries + 1, p.meshMessageDeliveriesCap());
    }
  }

  /** A mesh peer delivered a (near-first) duplicate of a valid message. */
  void meshDuplicate(PeerId peer, String topic) {
    TopicStats t = topic(peer, topic);
    if (t != null && t.inMesh) {
      t.meshDeliveries = Math.min(t.meshDeliveries + 1, params.topic(topic).meshMessageDeliveriesCap());
    }
  }

  /** {@code peer} delivered a message the host rejected. */
  void invalidDelivery(PeerId peer, String topic) {
    TopicStats t = topic(peer, topic);
    if (t != null) {
      t.invalidDeliveries += 1;
    }
  }

  void behaviourPenalty(PeerId peer, double amount) {
    PeerStats s = peers.get(peer);
    if (s != null) {
      s.behaviourPenalty += amount;
    }
  }

  double score(PeerId peer, long now) {
    PeerStats s = peers.get(peer);
    if (s == null) {
      return 0;
    }
    double topicsScore = 0;
    for (Map.Entry<String, TopicStats> e : s.topics.entrySet()) {
      TopicScoreParams p = params.topic(e.getKey());
      if (p == null) {
        continue;
      }
      TopicStats t = e.getValue();
      double ts = 0;
      if (t.inMesh) {
        long inMesh = t.meshTimeNanos > 0 ? t.meshTimeNanos : now - t.graftTime;
        double quanta = (double) inMesh / (p.timeInMeshQuantumMillis() * 1_000_000.0);
        ts += Math.min(quanta, p.timeInMeshCap()) * p.timeInMeshWeight();
      }
      ts += t.firstDeliveries * p.firstMessageDeliveriesWeight();
      if (t.inMesh && t.meshDeliveriesActive && t.meshDeliveries < p.meshMessageDeliveriesThreshold()) {
        double deficit = p.meshMessageDeliveriesThreshold() - t.meshDeliveries;
        ts += deficit * deficit * p.meshMessageDeliveriesWeight();
      }
      ts += t.meshFailurePenalty * p.meshFailurePenaltyWeight();
      ts += t.invalidDeliveries * t.invalidDeliveries * p.invalidMessageDeliveriesWeight();
      topicsScore += ts * p.topicWeight();
    }
    if (params.topicScoreCap() > 0 && topicsScore > params.topicScoreCap()) {
      topicsScore = params.topicScoreCap();
    }
    double score = topicsScore + s.appScore * params.appSpecificWeight();
    if (s.ip != null) {
      Set<PeerId> same = peersByIp.get(s.ip);
      int n = same == null ? 0 : same.size();
      if (n > params.ipColocationFactorThreshold()) {
        double surplus = n - params.ipColocationFactorThreshold();
        score += surplus * surplus * params.ipColocationFactorWeight();
      }
    }
    if (s.behaviourPenalty > params.behaviourPenaltyThreshold()) {
      double excess = s.behaviourPenalty - params.behaviourPenaltyThreshold();
      score += excess * excess * params.behaviourPenaltyWeight();
    }
    return score;
  }

  /** Decays every counter, refreshes time in mesh, activates P3, forgets expired peers. */
  void decay(long now) {
    double zero = params.decayToZero();
    Iterator<Map.Entry<PeerId, PeerStats>> it = peers.entrySet().iterator();
    while (it.hasNext()) {
      PeerStats s = it.next().getValue();
      if (!s.connected && now >= s.expireAt) {
        it.remove();
        continue;
      }
      for (Map.Entry<String, TopicStats> e : s.topics.entrySet()) {
        TopicScoreParams p = params.topic(e.getKey());
        if (p == null) {
          continue;
        }
        TopicStats t = e.getValue();
        t.firstDeliveries = decayed(t.firstDeliveries * p.firstMessageDeliveriesDecay(), zero);
        t.meshDeliveries = decayed(t.meshDeliveries * p.meshMessageDeliveriesDecay(), zero);
        t.meshFailurePenalty = decayed(t.meshFailurePenalty * p.meshFailurePenaltyDecay(), zero);
        t.invalidDeliveries = decayed(t.invalidDeliveries * p.invalidMessageDeliveriesDecay(), zero);
        if (t.inMesh) {
          t.meshTimeNanos = now - t.graftTime;
          if (t.meshTimeNanos >= p.meshMessageDeliveriesActivationMillis() * 1_000_000L) {
            t.meshDeliveriesActive = true;
          }
        }
      }
      s.behaviourPenalty = decayed(s.behaviourPenalty * params.behaviourPenaltyDecay(), zero);
    }
  }

  private static double decayed(double v, double zero) {
    return v < zero ? 0 : v;
  }

  Map<PeerId, Double> allScores(long now) {
    Map<PeerId, Double> out = new HashMap<>();
    for (PeerId p : peers.keySet()) {
      out.put(p, score(p, now));
    }
    return out;
  }
}
