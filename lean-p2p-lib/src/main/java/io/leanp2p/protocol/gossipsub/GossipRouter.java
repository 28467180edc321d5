package io.leanp2p.protocol.gossipsub;

import io.leanp2p.codec.gossip.ControlGraft;
import io.leanp2p.codec.gossip.ControlIDontWant;
import io.leanp2p.codec.gossip.ControlIHave;
import io.leanp2p.codec.gossip.ControlIWant;
import io.leanp2p.codec.gossip.ControlMessage;
import io.leanp2p.codec.gossip.ControlPrune;
import io.leanp2p.codec.gossip.Message;
import io.leanp2p.codec.gossip.MessageId;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.types.Direction;
import io.leanp2p.util.Scheduler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.leanp2p.types.Validation;
import io.leanp2p.config.GossipConfig;
import io.leanp2p.config.TopicScoreParams;

/**
 * The gossipsub v1.2 / v1.1 router of one network: mesh maintenance, gossip (IHAVE / IWANT /
 * IDONTWANT), fanout, message cache, seen cache, validation-gated forwarding and v1.1 peer
 * scoring.
 *
 * <p>A plain single-threaded object: every method must be called on the network's event loop
 * (the thread that owns the {@link Scheduler}); it takes no locks and starts no threads. Time,
 * timers and randomness are injected, so a whole network of routers can run deterministically in
 * one thread under virtual time. Outgoing control messages are batched per peer and flushed at
 * the end of each entry point (inbound RPC, validation result, publish, heartbeat), piggybacked
 * on messages going to the same peer. Other threads read {@link #snapshot()} only.
 *
 * <p>Lean specifics: messages are StrictNoSign (we never send from/seqno/signature/key and drop
 * and count received messages carrying any); message ids are {@link MessageId} (snappy-aware);
 * received messages are forwarded only after the host ACCEPTs them (leanSpec's reference
 * forwards before validation).
 *
 * <p>Other deliberate differences from leanSpec's reference behaviour (the 14 handler fixtures
 * pass either way; {@code docs/gossipsub.md} has the reasons): own messages up to {@code
 * floodPublishMaxBytes} are flood-published and larger ones go to the mesh topped up to D
 * subscribed peers (so a publish before the mesh formed still delivers); a peer joining our mesh
 * gets an IHAVE of the topic's recent ids; IWANT copies are capped per peer per message for the
 * life of the cache entry, not per heartbeat; IDONTWANT is sent when a large message first
 * arrives, before validation (as gossipsub v1.2 recommends) rather than after forwarding; IHAVE
 * for topics we are not subscribed to is ignored (v1.1); each id is asked for by IWANT at most once
 * per heartbeat window; peers with a negative score are not grafted and their GRAFTs are refused.
 * Like leanSpec, a PRUNE with backoff 0 arms no backoff, and a GRAFT for a topic we are not in is
 * ignored silently.
 */
public final class GossipRouter {
  private static final Logger LOG = LoggerFactory.getLogger(GossipRouter.class);
  private static final long MS = 1_000_000L;

  private final GossipConfig config;
  private final Scheduler scheduler;
  private final Random random;
  private final GossipOutput output;
  private final GossipCounters counters = new GossipCounters();
  private final PeerScoring scoring;

  private final Map<PeerId, PeerState> peers = new LinkedHashMap<>();
  private final Set<String> subscriptions = new LinkedHashSet<>();
  private final Map<String, Set<PeerId>> mesh = new LinkedHashMap<>();
  private final Map<String, Set<PeerId>> fanout = new LinkedHashMap<>();
  private final Map<String, Long> fanoutLastPublish = new HashMap<>();
  private final SeenCache seen;
  private final MessageCache mcache;
  private final Map<IdKey, PendingValidation> pending = new LinkedHashMap<>();
  /** Ids asked for by IWANT in the current heartbeat window (not asked twice per window). */
  private final Set<IdKey> iwantRequested = new HashSet<>();
  /** Peers with batched outgoing data, in first-touched order. */
  private final Set<PeerId> dirty = new LinkedHashSet<>();

  private long heartbeatTicks;
  private long lastDecayNanos;
  private Scheduler.Cancellable heartbeatTimer;
  private boolean started;
  private volatile GossipSnapshot snapshot = GossipSnapshot.EMPTY;

  /** Per-peer state. */
  static final class PeerState {
    final PeerId id;
    final GossipProtocol protocol;
    final Direction direction;
    final String ip;
    final Set<String> topics = new LinkedHashSet<>();
    final Map<String, Long> backoffUntil = new HashMap<>();
    final Set<IdKey> dontWant = new HashSet<>();
    /** RPCs carrying IHAVE in this heartbeat window. */
    int ihaveRpcs;
    /** Ids asked for by IWANT in this heartbeat window. */
    int idsAsked;
    // batched outgoing RPC parts
    final List<SubOpts> outSubs = new ArrayList<>();
    final List<Message> outPublish = new ArrayList<>();
    final List<ControlIHave> outIHave = new ArrayList<>();
    final List<byte[]> outIWant = new ArrayList<>();
    final List<ControlGraft> outGraft = new ArrayList<>();
    final List<ControlPrune> outPrune = new ArrayList<>();
    final List<byte[]> outIDontWant = new ArrayList<>();

    PeerState(PeerId id, GossipProtocol protocol, Direction direction, String ip) {
      this.id = id;
      this.protocol = protocol;
      this.direction = direction;
      this.ip = ip;
    }

    boolean inBackoff(String topic, long now) {
      Long until = backoffUntil.get(topic);
      return until != null && now < until;
    }
  }

  /** A message awaiting the host's verdict. */
  private static final class PendingValidation {
    final Message message;
    final PeerId source;
    final long receivedAt;
    /** Peers that sent copies while validation was pending (small; usually empty). */
    final List<PeerId> alsoFrom = new ArrayList<>(0);

    PendingValidation(Message message, PeerId source, long receivedAt) {
      this.message = message;
      this.source = source;
      this.receivedAt = receivedAt;
    }
  }

  public GossipRouter(GossipConfig config, Scheduler scheduler, Random random, GossipOutput output) {
    this.config = Objects.requireNonNull(config, "config");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.output = Objects.requireNonNull(output, "output");
    this.scoring = new PeerScoring(config.score());
    this.seen = new SeenCache(config.seenTtlMillis() * MS, config.maxSeenEntries());
    this.mcache = new MessageCache(config.mcacheLength(), config.mcacheGossip(), config.maxCacheBytes());
    this.lastDecayNanos = scheduler.nanoTime();
  }

  public GossipConfig config() {
    return config;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts the self-scheduled heartbeat (every {@code heartbeatIntervalMillis}). Idempotent. */
  public void start() {
    if (started) {
      return;
    }
    started = true;
    lastDecayNanos = scheduler.nanoTime();
    scheduleHeartbeat();
  }

  /** Stops the heartbeat. Idempotent. */
  public void stop() {
    started = false;
    if (heartbeatTimer != null) {
      heartbeatTimer.cancel();
      heartbeatTimer = null;
    }
  }

  private void scheduleHeartbeat() {
    heartbeatTimer = scheduler.scheduleMillis(config.heartbeatIntervalMillis(), () -> {
      if (started) {
        heartbeat();
        scheduleHeartbeat();
      }
    });
  }

  // ------------------------------------------------------------------ peers

  /**
   * A peer whose gossip streams are up. {@code protocolId} is the negotiated {@code /meshsub/...}
   * id; {@code ip} feeds the IP-colocation score (may be null). Sends our subscriptions.
   */
  public void addPeer(PeerId peer, String protocolId, Direction direction, String ip) {
    GossipProtocol protocol = GossipProtocol.fromId(protocolId)
        .orElseThrow(() -> new IllegalArgumentException("unsupported gossip protocol " + protocolId));
    if (peers.containsKey(peer)) {
      return;
    }
    PeerState ps = new PeerState(peer, protocol, direction, ip);
    peers.put(peer, ps);
    scoring.addPeer(peer, ip);
    for (String t : subscriptions) {
      ps.outSubs.add(new SubOpts(true, t));
    }
    markDirty(ps);
    flush();
  }

  /** The peer's streams or connection went away. */
  public void removePeer(PeerId peer) {
    PeerState ps = peers.remove(peer);
    if (ps == null) {
      return;
    }
    long now = now();
    for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
      if (e.getValue().remove(peer)) {
        output.prune(peer, e.getKey());
      }
    }
    for (Set<PeerId> f : fanout.values()) {
      f.remove(peer);
    }
    scoring.removePeer(peer, now);
    dirty.remove(peer);
  }

  /** Sets the application-specific score (P5) of a connected peer. */
  public void setApplicationScore(PeerId peer, double score) {
    scoring.setApplicationScore(peer, score);
  }

  /** The current score of {@code peer} (router thread only; others use the snapshot). */
  public double score(PeerId peer) {
    return scoring.score(peer, now());
  }

  // ------------------------------------------------------------------ subscriptions

  /** Joins {@code topic}: announces it to every peer and GRAFTs up to D peers. */
  public boolean subscribe(String topic) {
    if (topic.isEmpty() || !subscriptions.add(topic)) {
      return false;
    }
    for (PeerState ps : peers.values()) {
      ps.outSubs.add(new SubOpts(true, topic));
      markDirty(ps);
    }
    Set<PeerId> m = new LinkedHashSet<>();
    mesh.put(topic, m);
    long now = now();
    Set<PeerId> fan = fanout.remove(topic);
    fanoutLastPublish.remove(topic);
    if (fan != null) {
      for (PeerId p : fan) {
        PeerState ps = peers.get(p);
        if (m.size() < config.d() && ps != null && eligibleForMesh(ps, topic, now)) {
          m.add(p);
        }
      }
    }
    if (m.size() < config.d()) {
      m.addAll(pick(candidates(topic, now, p -> !m.contains(p.id) && eligibleForMesh(p, topic, now)), config.d() - m.size()));
    }
    for (PeerId p : m) {
      graftPeer(p, topic, now);
    }
    flush();
    return true;
  }

  /** Leaves {@code topic}: announces it and PRUNEs the mesh peers (with backoff). */
  public boolean unsubscribe(String topic) {
    if (!subscriptions.remove(topic)) {
      return false;
    }
    long now = now();
    for (PeerState ps : peers.values()) {
      ps.outSubs.add(new SubOpts(false, topic));
      markDirty(ps);
    }
    Set<PeerId> m = mesh.remove(topic);
    if (m != null) {
      for (PeerId p : m) {
        prunePeer(p, topic, now, false);
      }
    }
    flush();
    return true;
  }

  // ------------------------------------------------------------------ inbound

  /** Handles one decoded RPC from {@code from}. */
  public void onRpc(PeerId from, Rpc rpc) {
    counters.rpcsReceived++;
    PeerState ps = peers.get(from);
    if (ps == null) {
      counters.rpcsFromUnknownPeer++;
      return;
    }
    long now = now();
    if (scoring.score(from, now) < config.score().graylistThreshold()) {
      if (counters.rpcsGraylisted++ == 0) {
        LOG.debug("ignoring RPCs of graylisted peer {}", from);
      }
      return;
    }
    for (SubOpts s : rpc.subscriptions()) {
      handleSubscription(ps, s);
    }
    for (Message m : rpc.publish()) {
      handleMessage(ps, m, now);
    }
    ControlMessage c = rpc.control();
    if (c != null) {
      for (ControlGraft g : c.graft()) {
        handleGraft(ps, g.topicId(), now);
      }
      for (ControlPrune p : c.prune()) {
        handlePrune(ps, p, now);
      }
      if (!c.ihave().isEmpty()) {
        handleIHave(ps, c.ihave(), now);
      }
      if (!c.iwant().isEmpty()) {
        handleIWant(ps, c.iwant(), now);
      }
      for (ControlIDontWant d : c.idontwant()) {
        handleIDontWant(ps, d);
      }
    }
    flush();
  }

  private void handleSubscription(PeerState ps, SubOpts s) {
    if (s.topicId().isEmpty()) {
      return;
    }
    if (s.subscribe()) {
      if (ps.topics.size() >= config.maxTopicsPerPeer() && !ps.topics.contains(s.topicId())) {
        counters.subscriptionsDropped++;
        return;
      }
      if (ps.topics.add(s.topicId())) {
        output.peerSubscription(ps.id, s.topicId(), true);
      }
    } else {
      if (ps.topics.remove(s.topicId())) {
        output.peerSubscription(ps.id, s.topicId(), false);
      }
      Set<PeerId> m = mesh.get(s.topicId());
      if (m != null && m.remove(ps.id)) {
        scoring.prune(ps.id, s.topicId());
        output.prune(ps.id, s.topicId());
      }
      Set<PeerId> f = fanout.get(s.topicId());
      if (f != null) {
        f.remove(ps.id);
      }
    }
  }

  private void handleMessage(PeerState ps, Message m, long now) {
    counters.messagesReceived++;
    if (m.hasSignatureFields()) {
      counters.messagesDroppedSignedFields++;
      scoring.invalidDelivery(ps.id, m.topic());
      return;
    }
    if (m.topic().isEmpty() || !subscriptions.contains(m.topic())) {
      counters.messagesDroppedUnsubscribed++;
      return;
    }
    if (m.dataSize() > config.maxPayloadSize()) {
      counters.messagesDroppedTooLarge++;
      return;
    }
    MessageId.Prepared prep = MessageId.prepare(m.topic(), m.dataUnsafe(), config.maxPayloadSize());
    IdKey id = IdKey.own(prep.id());
    if (seen.contains(id)) {
      counters.messagesDuplicate++;
      PendingValidation pv = pending.get(id);
      if (pv != null) {
        if (!pv.alsoFrom.contains(ps.id) && pv.alsoFrom.size() < config.dHigh() * 4) {
          pv.alsoFrom.add(ps.id);
        }
      } else if (mcache.contains(id) && inMesh(ps.id, m.topic())) {
        TopicScoreParams tp = config.score().topic(m.topic());
        long first = seen.firstSeenNanos(id);
        if (tp != null && first >= 0 && now - first <= tp.meshMessageDeliveriesWindowMillis() * MS) {
          scoring.meshDuplicate(ps.id, m.topic());
        }
      }
      return;
    }
    if (pending.size() >= config.maxPendingValidations()) {
      counters.messagesDroppedValidationQueueFull++;
      return; // not marked seen: a later copy may still get through
    }
    counters.seenEvicted += seen.add(id, now);
    pending.put(id, new PendingValidation(m, ps.id, now));
    // IDONTWANT (1.2) on receipt, before validation, so mesh peers stop sending us copies
    if (m.dataSize() >= config.iDontWantMinDataSize()) {
      Set<PeerId> meshPeers = mesh.get(m.topic());
      if (meshPeers != null) {
        for (PeerId p : meshPeers) {
          PeerState mp = peers.get(p);
          if (mp != null && !p.equals(ps.id) && mp.protocol.supportsIDontWant()) {
            mp.outIDontWant.add(id.id);
            counters.idontwantSent++;
            markDirty(mp);
          }
        }
      }
    }
    counters.messagesDelivered++;
    // the wire payload goes to the host as is (shared with the pending message and, after ACCEPT,
    // the message cache): no defensive copy; the host must not modify it (see GossipMessage)
    output.deliver(new GossipMessage(m.topic(), prep.decompressed(), m.dataUnsafe(), id.id.clone(), ps.id));
  }

  /**
   * The host's verdict on a delivered message: ACCEPT caches and forwards it to the mesh, REJECT
   * penalises the source (and peers that sent copies during validation), IGNORE drops it.
   * Unknown or late ids are counted and ignored.
   */
  public void reportValidation(byte[] messageId, Validation result) {
    IdKey id = IdKey.copy(messageId);
    PendingValidation pv = pending.remove(id);
    if (pv == null) {
      counters.validationUnknown++;
      return;
    }
    applyValidation(id, pv, result);
    flush();
  }

  private void applyValidation(IdKey id, PendingValidation pv, Validation result) {
    String topic = pv.message.topic();
    switch (result) {
      case ACCEPT -> {
        counters.messagesAccepted++;
        mcache.put(id, pv.message);
        scoring.firstDelivery(pv.source, topic);
        for (PeerId p : pv.alsoFrom) {
          scoring.meshDuplicate(p, topic);
        }
        forward(id, pv.message, pv.source, pv.alsoFrom);
      }
      case REJECT -> {
        counters.messagesRejected++;
        scoring.invalidDelivery(pv.source, topic);
        for (PeerId p : pv.alsoFrom) {
          scoring.invalidDelivery(p, topic);
        }
      }
      case IGNORE -> counters.messagesIgnored++;
    }
  }

  private void forward(IdKey id, Message m, PeerId source, List<PeerId> alsoFrom) {
    Set<PeerId> meshPeers = mesh.get(m.topic());
    if (meshPeers == null) {
      return;
    }
    for (PeerId p : meshPeers) {
      if (p.equals(source) || alsoFrom.contains(p)) {
        continue;
      }
      PeerState ps = peers.get(p);
      if (ps == null) {
        continue;
      }
      if (ps.dontWant.contains(id)) {
        counters.idontwantSkipped++;
        continue;
      }
      ps.outPublish.add(m);
      counters.messagesForwarded++;
      markDirty(ps);
    }
  }

  private void handleGraft(PeerState ps, String topic, long now) {
    counters.graftsReceived++;
    Set<PeerId> m = mesh.get(topic);
    if (m == null) {
      counters.graftsIgnoredUnsubscribed++;
      return; // not subscribed: ignore silently (leanSpec)
    }
    if (m.contains(ps.id)) {
      return;
    }
    boolean reject = false;
    if (ps.inBackoff(topic, now)) {
      // GRAFT during backoff: a P7 penalty, and a second one when it comes sooner than
      // graftFloodThreshold after the PRUNE that armed the backoff (as go, rust and js do)
      counters.graftsDuringBackoff++;
      scoring.behaviourPenalty(ps.id, 1);
      long prunedAt = ps.backoffUntil.get(topic) - config.pruneBackoffSeconds() * 1000 * MS;
      if (now < prunedAt + config.graftFloodThresholdMillis() * MS) {
        counters.graftFloodPenalties++;
        scoring.behaviourPenalty(ps.id, 1);
      }
      reject = true;
    } else if (scoring.score(ps.id, now) < 0) {
      reject = true;
    } else if (m.size() >= config.dHigh() && ps.direction != Direction.OUTBOUND) {
      reject = true;
    }
    if (reject) {
      counters.graftsRejected++;
      queuePrune(ps, topic);
      ps.backoffUntil.put(topic, now + config.pruneBackoffSeconds() * 1000 * MS);
      markDirty(ps);
      return;
    }
    m.add(ps.id);
    scoring.graft(ps.id, topic, now);
    output.graft(ps.id, topic);
    gossipOnGraft(ps, topic, now);
  }

  private void handlePrune(PeerState ps, ControlPrune p, long now) {
    counters.prunesReceived++;
    Set<PeerId> m = mesh.get(p.topicId());
    if (m != null && m.remove(ps.id)) {
      scoring.prune(ps.id, p.topicId());
      output.prune(ps.id, p.topicId());
    }
    if (p.backoffSeconds() > 0) {
      long until = now + Math.min(p.backoffSeconds(), 24 * 3600) * 1000 * MS;
      ps.backoffUntil.merge(p.topicId(), until, Math::max);
    }
  }

  /**
   * The IHAVE entries of one RPC. Flood bounds (as go and rust): at most {@code maxIHaveMessages}
   * RPCs with IHAVE per peer per heartbeat, and at most {@code maxIHaveLength} ids asked for per
   * peer per heartbeat; every id is asked for at most once per heartbeat, from one peer.
   */
  private void handleIHave(PeerState ps, List<ControlIHave> ihaves, long now) {
    if (scoring.score(ps.id, now) < config.score().gossipThreshold()) {
      counters.ihaveIgnored += ihaves.size();
      return;
    }
    if (++ps.ihaveRpcs > config.maxIHaveMessages()) {
      counters.ihaveIgnored += ihaves.size();
      counters.ihaveRpcsOverLimit++;
      return;
    }
    for (ControlIHave h : ihaves) {
      if (!subscriptions.contains(h.topicId())) {
        counters.ihaveIgnored++;
        continue;
      }
      List<byte[]> ids = h.messageIds();
      for (int i = 0; i < ids.size(); i++) {
        byte[] raw = ids.get(i);
        if (raw.length != MessageId.LENGTH) {
          counters.badMessageIds++;
          continue;
        }
        if (ps.idsAsked >= config.maxIHaveLength()) {
          counters.ihaveIdsOverLimit += ids.size() - i;
          break;
        }
        IdKey id = IdKey.own(raw);
        if (!seen.contains(id) && !mcache.contains(id) && iwantRequested.add(id)) {
          ps.outIWant.add(raw);
          ps.idsAsked++;
          counters.iwantSent++;
          markDirty(ps);
        }
      }
    }
  }

  /**
   * The IWANT entries of one RPC: at most {@code maxIWantIds} ids are processed (leanSpec's 5000;
   * the rest are counted in {@code iwantIdsTruncated}), and each cached message is served to one
   * peer at most {@code gossipRetransmission} times while it is cached (as go, rust and js; leanSpec
   * resets the count every heartbeat, which let one peer pull a message again and again).
   */
  private void handleIWant(PeerState ps, List<ControlIWant> iwants, long now) {
    if (scoring.score(ps.id, now) < config.score().gossipThreshold()) {
      return;
    }
    int processed = 0;
    for (ControlIWant w : iwants) {
      List<byte[]> ids = w.messageIds();
      for (int i = 0; i < ids.size(); i++) {
        if (processed++ >= config.maxIWantIds()) {
          counters.iwantIdsTruncated += ids.size() - i;
          break;
        }
        byte[] raw = ids.get(i);
        if (raw.length != MessageId.LENGTH) {
          counters.badMessageIds++;
          continue;
        }
        IdKey id = IdKey.own(raw);
        Message m = mcache.get(id);
        if (m == null) {
          continue;
        }
        if (mcache.countServed(id, ps.id) > config.gossipRetransmission()) {
          counters.iwantRetransmissionCapped++;
          continue;
        }
        if (ps.dontWant.contains(id)) {
          counters.idontwantSkipped++;
          continue;
        }
        ps.outPublish.add(m);
        counters.iwantServed++;
        markDirty(ps);
      }
    }
  }

  private void handleIDontWant(PeerState ps, ControlIDontWant d) {
    if (!ps.protocol.supportsIDontWant()) {
      return;
    }
    for (byte[] raw : d.messageIds()) {
      counters.idontwantReceived++;
      if (raw.length != MessageId.LENGTH) {
        counters.badMessageIds++;
        continue;
      }
      if (ps.dontWant.size() >= config.maxIDontWantIds()) {
        counters.idontwantDropped++;
        continue;
      }
      ps.dontWant.add(IdKey.own(raw));
    }
  }

  // ------------------------------------------------------------------ publishing

  /**
   * Publishes {@code wireData} (raw-snappy SSZ) on {@code topic}. Recipients: every subscribed
   * peer above the publish threshold when the message is small enough to flood ({@link
   * GossipConfig#floodPublishMaxBytes}); otherwise the mesh when subscribed, else the fanout, in
   * both cases topped up to D with other subscribed peers above the publish threshold (as
   * rust-libp2p and js-libp2p do), so that a message published before the mesh has formed (a peer
   * that connected a moment ago) still reaches the peers that are known to want it. Top-up peers are
   * not grafted. Having no peers is fine: the message is cached and served later. The router keeps
   * {@code wireData} (no copy): the caller must not modify it afterwards.
   */
  public PublishResult publish(String topic, byte[] wireData) {
    if (topic == null || topic.isEmpty() || wireData.length > config.maxPayloadSize()) {
      return publish(topic, wireData, null);
    }
    return publish(topic, wireData, MessageId.prepare(topic, wireData, config.maxPayloadSize()).id());
  }

  /**
   * Like {@link #publish(String, byte[])} with the lean message id of {@code wireData} already
   * computed (by the host's thread, so that hashing and decompressing stay off the event loop).
   */
  public PublishResult publish(String topic, byte[] wireData, byte[] messageId) {
    if (topic == null || topic.isEmpty()) {
      return new PublishResult(PublishResult.Status.INVALID_TOPIC, null, List.of());
    }
    if (wireData.length > config.maxPayloadSize()) {
      return new PublishResult(PublishResult.Status.TOO_LARGE, null, List.of());
    }
    long now = now();
    IdKey id = IdKey.own(messageId.clone());
    if (seen.contains(id)) {
      counters.publishDuplicates++;
      return new PublishResult(PublishResult.Status.DUPLICATE, id.id.clone(), List.of());
    }
    counters.seenEvicted += seen.add(id, now);
    Message m = Message.anonymousOwning(topic, wireData); // the host API handed us its own copy
    mcache.put(id, m);
    counters.messagesPublished++;
    List<PeerId> sentTo = new ArrayList<>();
    for (PeerId p : publishTargets(topic, wireData.length, now)) {
      PeerState ps = peers.get(p);
      if (ps == null) {
        continue;
      }
      if (ps.dontWant.contains(id)) {
        counters.idontwantSkipped++;
        continue;
      }
      ps.outPublish.add(m);
      markDirty(ps);
      sentTo.add(p);
    }
    flush();
    return new PublishResult(PublishResult.Status.ACCEPTED, id.id.clone(), List.copyOf(sentTo));
  }

  /** The peers an own message of {@code size} wire bytes goes to (see {@link #publish}). */
  private Collection<PeerId> publishTargets(String topic, int size, long now) {
    double publishThreshold = config.score().publishThreshold();
    if (config.floodPublishes(size)) {
      counters.publishFlooded++;
      List<PeerId> all = new ArrayList<>();
      for (PeerState ps : peers.values()) {
        if (ps.topics.contains(topic) && scoring.score(ps.id, now) >= publishThreshold) {
          all.add(ps.id);
        }
      }
      return all;
    }
    Set<PeerId> base;
    if (subscriptions.contains(topic)) {
      base = new LinkedHashSet<>(mesh.getOrDefault(topic, Set.of()));
    } else {
      base = fanout.computeIfAbsent(topic, t -> new LinkedHashSet<>());
      fanoutLastPublish.put(topic, now);
    }
    if (base.size() < config.d()) {
      Set<PeerId> have = base;
      List<PeerId> extra = pick(candidates(topic, now,
          p -> !have.contains(p.id) && scoring.score(p.id, now) >= publishThreshold), config.d() - base.size());
      if (subscriptions.contains(topic)) {
        counters.publishTopUpPeers += extra.size();
      }
      base.addAll(extra); // the fanout keeps its new peers; a mesh copy is not the mesh
    }
    return base;
  }

  // ------------------------------------------------------------------ heartbeat

  /** One heartbeat: mesh maintenance, fanout, gossip emission, cache shifts, timeouts, flush. */
  public void heartbeat() {
    long now = now();
    heartbeatTicks++;
    if (now - lastDecayNanos >= config.score().decayIntervalMillis() * MS) {
      scoring.decay(now);
      lastDecayNanos = now;
    }
    expireValidations(now);
    Map<PeerId, Double> scores = new HashMap<>();
    for (PeerId p : peers.keySet()) {
      scores.put(p, scoring.score(p, now));
    }
    for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
      maintainMesh(e.getKey(), e.getValue(), scores, now);
    }
    maintainFanout(scores, now);
    emitGossip(scores, now);
    mcache.shift();
    seen.expire(now);
    iwantRequested.clear();
    for (PeerState ps : peers.values()) {
      ps.dontWant.clear();
      ps.ihaveRpcs = 0;
      ps.idsAsked = 0;
      ps.backoffUntil.values().removeIf(until -> until <= now);
    }
    flush();
    publishSnapshot(scores, now);
  }

  private void expireValidations(long now) {
    long timeout = config.validationTimeoutMillis() * MS;
    Iterator<Map.Entry<IdKey, PendingValidation>> it = pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<IdKey, PendingValidation> e = it.next();
      if (now - e.getValue().receivedAt < timeout) {
        break; // insertion order = arrival order
      }
      it.remove();
      counters.validationTimeouts++;
      applyValidation(e.getKey(), e.getValue(), Validation.IGNORE);
    }
  }

  private void maintainMesh(String topic, Set<PeerId> m, Map<PeerId, Double> scores, long now) {
    // drop peers with negative score
    for (PeerId p : new ArrayList<>(m)) {
      if (scores.getOrDefault(p, 0.0) < 0) {
        m.remove(p);
        prunePeer(p, topic, now, true);
      }
    }
    if (m.size() < config.dLow()) {
      List<PeerId> add = pick(candidates(topic, now,
          ps -> !m.contains(ps.id) && eligibleForMesh(ps, topic, now) && scores.getOrDefault(ps.id, 0.0) >= 0),
          config.d() - m.size());
      for (PeerId p : add) {
        m.add(p);
        graftPeer(p, topic, now);
      }
    }
    if (m.size() > config.dHigh()) {
      List<PeerId> shuffled = new ArrayList<>(m);
      Collections.shuffle(shuffled, random);
      shuffled.sort((a, b) -> Double.compare(scores.getOrDefault(b, 0.0), scores.getOrDefault(a, 0.0)));
      List<PeerId> keep = new ArrayList<>(shuffled.subList(0, Math.min(config.dScore(), shuffled.size())));
      List<PeerId> rest = new ArrayList<>(shuffled.subList(keep.size(), shuffled.size()));
      Collections.shuffle(rest, random);
      // make sure at least dOut outbound peers survive
      int outbound = (int) keep.stream().filter(this::isOutbound).count();
      List<PeerId> chosen = new ArrayList<>();
      for (PeerId p : rest) {
        if (outbound < config.dOut() && isOutbound(p)) {
          chosen.add(p);
          outbound++;
        }
      }
      for (PeerId p : rest) {
        if (keep.size() + chosen.size() >= config.d()) {
          break;
        }
        if (!chosen.contains(p)) {
          chosen.add(p);
        }
      }
      keep.addAll(chosen);
      for (PeerId p : new ArrayList<>(m)) {
        if (!keep.contains(p)) {
          m.remove(p);
          prunePeer(p, topic, now, true);
        }
      }
    }
    if (m.size() >= config.dLow()) {
      long outbound = m.stream().filter(this::isOutbound).count();
      if (outbound < config.dOut()) {
        List<PeerId> add = pick(candidates(topic, now, ps -> ps.direction == Direction.OUTBOUND
            && !m.contains(ps.id) && eligibleForMesh(ps, topic, now) && scores.getOrDefault(ps.id, 0.0) >= 0),
            (int) (config.dOut() - outbound));
        for (PeerId p : add) {
          m.add(p);
          graftPeer(p, topic, now);
        }
      }
    }
    if (config.opportunisticGraftTicks() > 0 && heartbeatTicks % config.opportunisticGraftTicks() == 0 && m.size() > 1) {
      List<Double> s = new ArrayList<>();
      for (PeerId p : m) {
        s.add(scores.getOrDefault(p, 0.0));
      }
      Collections.sort(s);
      double median = s.get(s.size() / 2);
      if (median < config.score().opportunisticGraftThreshold()) {
        List<PeerId> add = pick(candidates(topic, now, ps -> !m.contains(ps.id) && eligibleForMesh(ps, topic, now)
            && scores.getOrDefault(ps.id, 0.0) > median), config.opportunisticGraftPeers());
        for (PeerId p : add) {
          m.add(p);
          graftPeer(p, topic, now);
        }
      }
    }
  }

  private void maintainFanout(Map<PeerId, Double> scores, long now) {
    long ttl = config.fanoutTtlMillis() * MS;
    Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Set<PeerId>> e = it.next();
      String topic = e.getKey();
      Long last = fanoutLastPublish.get(topic);
      if (last == null || now - last >= ttl) {
        it.remove();
        fanoutLastPublish.remove(topic);
        continue;
      }
      Set<PeerId> f = e.getValue();
      f.removeIf(p -> {
        PeerState ps = peers.get(p);
        return ps == null || !ps.topics.contains(topic)
            || scores.getOrDefault(p, 0.0) < config.score().publishThreshold();
      });
      if (f.size() < config.d()) {
        f.addAll(pick(candidates(topic, now, ps -> !f.contains(ps.id)
            && scores.getOrDefault(ps.id, 0.0) >= config.score().publishThreshold()), config.d() - f.size()));
      }
    }
  }

  private void emitGossip(Map<PeerId, Double> scores, long now) {
    Map<String, Set<PeerId>> topics = new LinkedHashMap<>(mesh);
    topics.putAll(fanout);
    for (Map.Entry<String, Set<PeerId>> e : topics.entrySet()) {
      String topic = e.getKey();
      List<byte[]> ids = mcache.gossipIds(topic);
      if (ids.isEmpty()) {
        continue;
      }
      Set<PeerId> exclude = e.getValue();
      List<PeerState> eligible = candidates(topic, now, ps -> !exclude.contains(ps.id)
          && scores.getOrDefault(ps.id, 0.0) >= config.score().gossipThreshold());
      int target = Math.max(config.dLazy(), (int) (config.gossipFactor() * eligible.size()));
      List<byte[]> advertised = ids;
      if (advertised.size() > config.maxIHaveLength()) {
        List<byte[]> copy = new ArrayList<>(advertised);
        Collections.shuffle(copy, random);
        advertised = copy.subList(0, config.maxIHaveLength());
      }
      for (PeerId p : pick(eligible, target)) {
        PeerState ps = peers.get(p);
        ps.outIHave.add(new ControlIHave(topic, advertised));
        counters.ihaveSent++;
        markDirty(ps);
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private boolean eligibleForMesh(PeerState ps, String topic, long now) {
    return ps.topics.contains(topic) && !ps.inBackoff(topic, now);
  }

  private boolean isOutbound(PeerId p) {
    PeerState ps = peers.get(p);
    return ps != null && ps.direction == Direction.OUTBOUND;
  }

  private boolean inMesh(PeerId p, String topic) {
    Set<PeerId> m = mesh.get(topic);
    return m != null && m.contains(p);
  }

  private List<PeerState> candidates(String topic, long now, java.util.function.Predicate<PeerState> filter) {
    List<PeerState> out = new ArrayList<>();
    for (PeerState ps : peers.values()) {
      if (ps.topics.contains(topic) && filter.test(ps)) {
        out.add(ps);
      }
    }
    return out;
  }

  /** Up to {@code n} random peers of {@code from} (deterministic for a given Random). */
  private List<PeerId> pick(List<PeerState> from, int n) {
    if (n <= 0 || from.isEmpty()) {
      return List.of();
    }
    List<PeerId> ids = new ArrayList<>(from.size());
    for (PeerState ps : from) {
      ids.add(ps.id);
    }
    if (ids.size() > n) {
      Collections.shuffle(ids, random);
      return ids.subList(0, n);
    }
    return ids;
  }

  private void graftPeer(PeerId p, String topic, long now) {
    PeerState ps = peers.get(p);
    if (ps == null) {
      return;
    }
    ps.outGraft.add(new ControlGraft(topic));
    markDirty(ps);
    scoring.graft(p, topic, now);
    output.graft(p, topic);
    gossipOnGraft(ps, topic, now);
  }

  /**
   * A peer that just joined our mesh for {@code topic} gets an IHAVE of the topic's recent
   * messages (the gossip windows). Mesh forwarding reaches it only from now on, and heartbeat
   * gossip goes to non-mesh peers only, so without this a message we forwarded (or published) just
   * before the graft would never be offered to it: the loss the devnet's late node used to show.
   * The peer asks (IWANT) only for what it has not seen. Not in the gossipsub spec, but any peer
   * accepts an IHAVE at any time; {@code gossipOnGraft=false} turns it off.
   */
  private void gossipOnGraft(PeerState ps, String topic, long now) {
    if (!config.gossipOnGraft() || scoring.score(ps.id, now) < config.score().gossipThreshold()) {
      return;
    }
    List<byte[]> ids = mcache.gossipIds(topic);
    if (ids.isEmpty()) {
      return;
    }
    if (ids.size() > config.maxIHaveLength()) {
      ids = ids.subList(0, config.maxIHaveLength()); // newest first
    }
    ps.outIHave.add(new ControlIHave(topic, ids));
    counters.ihaveSent++;
    counters.ihaveOnGraft++;
    markDirty(ps);
  }

  private void prunePeer(PeerId p, String topic, long now, boolean stillSubscribed) {
    PeerState ps = peers.get(p);
    scoring.prune(p, topic);
    output.prune(p, topic);
    if (ps == null) {
      return;
    }
    queuePrune(ps, topic);
    ps.backoffUntil.put(topic, now + config.pruneBackoffSeconds() * 1000 * MS);
    markDirty(ps);
  }

  /**
   * Queues a PRUNE of {@code topic} for {@code ps}, at most one per topic per outgoing RPC: a flood
   * of GRAFTs in one RPC is answered by one PRUNE per topic, not one per GRAFT.
   */
  private void queuePrune(PeerState ps, String topic) {
    for (ControlPrune p : ps.outPrune) {
      if (p.topicId().equals(topic)) {
        counters.prunesCoalesced++;
        return;
      }
    }
    ps.outPrune.add(new ControlPrune(topic, config.pruneBackoffSeconds()));
  }

  private void markDirty(PeerState ps) {
    dirty.add(ps.id);
  }

  /** Sends every batched RPC (control piggybacked on messages to the same peer). */
  private void flush() {
    if (dirty.isEmpty()) {
      return;
    }
    List<PeerId> list = new ArrayList<>(dirty);
    dirty.clear();
    for (PeerId p : list) {
      PeerState ps = peers.get(p);
      if (ps == null) {
        continue;
      }
      boolean hasControl = !(ps.outIHave.isEmpty() && ps.outIWant.isEmpty() && ps.outGraft.isEmpty()
          && ps.outPrune.isEmpty() && ps.outIDontWant.isEmpty());
      ControlMessage control = null;
      if (hasControl) {
        List<ControlIWant> iwant = ps.outIWant.isEmpty() ? List.of() : List.of(new ControlIWant(ps.outIWant));
        List<ControlIDontWant> idw =
            ps.outIDontWant.isEmpty() ? List.of() : List.of(new ControlIDontWant(ps.outIDontWant));
        control = new ControlMessage(ps.outIHave, iwant, ps.outGraft, ps.outPrune, idw);
      }
      Rpc rpc = new Rpc(ps.outSubs, ps.outPublish, control);
      ps.outSubs.clear();
      ps.outPublish.clear();
      ps.outIHave.clear();
      ps.outIWant.clear();
      ps.outGraft.clear();
      ps.outPrune.clear();
      ps.outIDontWant.clear();
      if (!rpc.isEmpty()) {
        counters.rpcsSent++;
        output.send(p, rpc);
      }
    }
  }

  private long now() {
    return scheduler.nanoTime();
  }

  // ------------------------------------------------------------------ snapshot

  /** The last published snapshot (any thread). */
  public GossipSnapshot snapshot() {
    return snapshot;
  }

  /** Publishes a fresh snapshot now (router thread) and returns it. */
  public GossipSnapshot refreshSnapshot() {
    long now = now();
    Map<PeerId, Double> scores = new HashMap<>();
    for (PeerId p : peers.keySet()) {
      scores.put(p, scoring.score(p, now));
    }
    publishSnapshot(scores, now);
    return snapshot;
  }

  private void publishSnapshot(Map<PeerId, Double> scores, long now) {
    Map<String, List<PeerId>> meshCopy = new LinkedHashMap<>();
    mesh.forEach((t, s) -> meshCopy.put(t, List.copyOf(s)));
    Map<String, List<PeerId>> fanoutCopy = new LinkedHashMap<>();
    fanout.forEach((t, s) -> fanoutCopy.put(t, List.copyOf(s)));
    Map<PeerId, Set<String>> topics = new LinkedHashMap<>();
    peers.forEach((p, ps) -> topics.put(p, Set.copyOf(ps.topics)));
    snapshot = new GossipSnapshot(now, Set.copyOf(subscriptions), Collections.unmodifiableMap(meshCopy),
        Collections.unmodifiableMap(fanoutCopy), Collections.unmodifiableMap(topics), Map.copyOf(scores),
        counters.snapshot(mcache.evictedEarly()));
  }

  // ------------------------------------------------------------------ test support (package-private)

  void seedSeen(byte[] id) {
    seen.add(IdKey.copy(id), now());
  }

  void seedCache(byte[] id, Message m) {
    mcache.put(IdKey.copy(id), m);
  }

  void seedMesh(String topic, PeerId peer) {
    Set<PeerId> m = mesh.get(topic);
    if (m != null && peers.containsKey(peer)) {
      m.add(peer);
      scoring.graft(peer, topic, now());
    }
  }

  void seedBackoff(PeerId peer, String topic, long untilNanos) {
    peers.get(peer).backoffUntil.put(topic, untilNanos);
  }

  void seedDontWant(PeerId peer, byte[] id) {
    peers.get(peer).dontWant.add(IdKey.copy(id));
  }

  boolean hasBackoff(PeerId peer, String topic) {
    PeerState ps = peers.get(peer);
    return ps != null && ps.inBackoff(topic, now());
  }

  int pendingValidations() {
    return pending.size();
  }

  static long toNanos(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
