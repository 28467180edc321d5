package io.leanp2p.config;


/**
 * Every router parameter, with lean defaults ({@link #DEFAULT}). Sources: leanSpec {@code
 * gossipsub/parameters.py}, {@code config.py}, {@code behavior.py} (marked "leanSpec"); the
 * gossipsub v1.1/v1.2 specs and the go-libp2p-pubsub / rust-libp2p / js-libp2p defaults (marked
 * "go", "rust", "js"). {@code docs/gossipsub.md} explains each choice where they differ.
 *
 * @param d mesh degree D (leanSpec 8); also the least number of peers an own message goes to
 * @param dLow lower mesh bound (leanSpec 6)
 * @param dHigh upper mesh bound (leanSpec 12)
 * @param dLazy gossip emission degree (leanSpec 6)
 * @param dOut outbound peers kept in the mesh when pruning (spec: 2, must be {@code < dLow} and {@code <= d/2})
 * @param dScore peers kept by score when pruning an oversized mesh (spec: 4)
 * @param gossipFactor fraction of eligible peers gossiped to when larger than dLazy (spec 0.25)
 * @param heartbeatIntervalMillis heartbeat (leanSpec 700 ms)
 * @param fanoutTtlMillis idle fanout expiry (leanSpec 60 s)
 * @param mcacheLength message-cache windows (leanSpec 6)
 * @param mcacheGossip windows advertised in IHAVE (leanSpec 3)
 * @param seenTtlMillis seen-cache TTL (leanSpec 24 s = 4 s slot x 3 lookback x 2)
 * @param maxSeenEntries hard bound of the seen cache (oldest evicted first, counted)
 * @param pruneBackoffSeconds backoff sent with PRUNE and applied on both sides (leanSpec 60 s)
 * @param graftFloodThresholdMillis a GRAFT during backoff that comes sooner than this after the
 *     PRUNE that armed the backoff costs an extra behaviour penalty (go, rust, js: 10 s)
 * @param gossipRetransmission copies of one cached message served to one peer by IWANT, for as
 *     long as the message stays in the cache (go, rust, js: 3; leanSpec counts per heartbeat)
 * @param maxIWantIds message ids processed per inbound RPC's IWANTs; the rest are ignored and
 *     counted (leanSpec 5000 per IWANT entry; we apply it per RPC)
 * @param maxIHaveLength message ids asked for by IWANT per peer per heartbeat, and advertised per
 *     IHAVE (go, rust, js 5000)
 * @param maxIHaveMessages RPCs carrying IHAVE accepted per peer per heartbeat (go, rust, js 10)
 * @param maxIDontWantIds IDONTWANT ids remembered per peer per heartbeat (go 1000 x 10, rust
 *     10,000; js 512); excess counted
 * @param iDontWantMinDataSize IDONTWANT sent for messages with at least this many on-wire bytes
 *     (leanSpec 1024, compressed size)
 * @param floodPublishMaxBytes own messages of at most this many on-wire bytes go to every
 *     subscribed peer above the publish threshold; larger ones go to the mesh, topped up to
 *     {@code d} subscribed peers. 0 never floods; {@link Integer#MAX_VALUE} always does (rust and js
 *     flood by default, go does not, leanSpec has no flood publish; lean default 16 KiB)
 * @param gossipOnGraft a peer that joins our mesh gets an IHAVE of the topic's recent messages at
 *     once, so that what was forwarded just before the graft still reaches it (lean-p2p; not in
 *     the spec, harmless to any peer)
 * @param opportunisticGraftTicks heartbeats between opportunistic grafting rounds (spec 60)
 * @param opportunisticGraftPeers peers grafted per round (spec 2)
 * @param validationTimeoutMillis a message not validated by then counts as IGNORE (one 4 s slot)
 * @param maxPendingValidations messages awaiting validation; more are dropped and counted
 * @param maxPayloadSize bytes of a message's decompressed payload (leanSpec 10 MiB)
 * @param rpcLimits decoder limits for inbound RPCs
 * @param maxPeerQueueBytes bytes queued for one peer's outbound stream before RPCs are dropped
 * @param maxTopicsPerPeer subscriptions remembered per peer (Teku filters at 1000 topics); more
 *     are ignored and counted
 * @param maxCacheBytes payload bytes the message cache may hold; beyond it the oldest messages
 *     are evicted before their windows expire (counted; IHAVE then no longer offers them). The
 *     windows alone bound the cache only in time: at 300 MB/s of accepted gossip, 6 x 700 ms
 *     would hold 1.3 GB
 * @param score peer scoring parameters and thresholds
 */
public record GossipConfig(
    int d,
    int dLow,
    int dHigh,
    int dLazy,
    int dOut,
    int dScore,
    double gossipFactor,
    long heartbeatIntervalMillis,
    long fanoutTtlMillis,
    int mcacheLength,
    int mcacheGossip,
    long seenTtlMillis,
    int maxSeenEntries,
    long pruneBackoffSeconds,
    long graftFloodThresholdMillis,
    int gossipRetransmission,
    int maxIWantIds,
    int maxIHaveLength,
    int maxIHaveMessages,
    int maxIDontWantIds,
    int iDontWantMinDataSize,
    int floodPublishMaxBytes,
    boolean gossipOnGraft,
    int opportunisticGraftTicks,
    int opportunisticGraftPeers,
    long validationTimeoutMillis,
    int maxPendingValidations,
    int maxPayloadSize,
    RpcLimits rpcLimits,
    int maxPeerQueueBytes,
    int maxTopicsPerPeer,
    long maxCacheBytes,
    PeerScoreParams score) {

  /** Own messages up to this size are flood-published by default (attestations, not blocks). */
  public static final int DEFAULT_FLOOD_PUBLISH_MAX_BYTES = 16 * 1024;

  /** The lean defaults. */
  public static final GossipConfig DEFAULT = new GossipConfig(
      8, 6, 12, 6, 2, 4, 0.25,
      700, 60_000, 6, 3, 24_000, 1 << 20, 60, 10_000,
      3, 5000, 5000, 10, 10_000, 1024,
      DEFAULT_FLOOD_PUBLISH_MAX_BYTES, true, 60, 2,
      4_000, 4096, RpcLimits.MAX_PAYLOAD_SIZE, RpcLimits.DEFAULT,
      32 * 1024 * 1024, 1000, 128L * 1024 * 1024,
      PeerScoreParams.DEFAULT);

  public GossipConfig {
    // normally dLow <= d <= dHigh; only 0 <= dLow <= dHigh and d >= 1 are enforced because a
    // leanSpec handler fixture (graft_reject_capacity) runs with d=4 > dHigh=3
    if (!(dLow >= 0 && dLow <= dHigh && d >= 1)) {
      throw new IllegalArgumentException("need 0 <= dLow <= dHigh and d >= 1");
    }
    if (dOut < 0 || dScore < 0 || dLazy < 0 || mcacheGossip > mcacheLength || mcacheLength < 1) {
      throw new IllegalArgumentException("bad degree / mcache parameters");
    }
    if (maxCacheBytes < maxPayloadSize) {
      throw new IllegalArgumentException("maxCacheBytes must hold at least one maximal message");
    }
    if (heartbeatIntervalMillis <= 0) {
      throw new IllegalArgumentException("heartbeat must be > 0");
    }
    if (gossipRetransmission < 0 || maxIWantIds < 0 || maxIHaveLength < 0 || maxIHaveMessages < 0
        || maxIDontWantIds < 0 || floodPublishMaxBytes < 0 || maxTopicsPerPeer < 0 || graftFloodThresholdMillis < 0) {
      throw new IllegalArgumentException("limits must be >= 0");
    }
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builder-style copy with other mesh degrees (as the leanSpec handler fixtures set them). */
  public GossipConfig withDegrees(int d, int dLow, int dHigh, int dLazy) {
    Builder b = toBuilder();
    b.d = d;
    b.dLow = dLow;
    b.dHigh = dHigh;
    b.dLazy = dLazy;
    b.dOut = Math.min(dOut, Math.max(0, Math.min(dLow - 1, d / 2)));
    b.dScore = Math.min(dScore, d);
    return b.build();
  }

  public GossipConfig withScore(PeerScoreParams s) {
    return toBuilder().score(s).build();
  }

  /** {@code true}: flood-publish every own message; {@code false}: never (mesh topped up to D). */
  public GossipConfig withFloodPublish(boolean flood) {
    return toBuilder().floodPublishMaxBytes(flood ? Integer.MAX_VALUE : 0).build();
  }

  public GossipConfig withValidation(long timeoutMillis, int maxPending) {
    Builder b = toBuilder();
    b.validationTimeoutMillis = timeoutMillis;
    b.maxPendingValidations = maxPending;
    return b.build();
  }

  public GossipConfig withOpportunisticGraft(int ticks, int peers) {
    Builder b = toBuilder();
    b.opportunisticGraftTicks = ticks;
    b.opportunisticGraftPeers = peers;
    return b.build();
  }

  public GossipConfig withMaxCacheBytes(long bytes) {
    return toBuilder().maxCacheBytes(bytes).build();
  }

  /** Whether an own message of {@code wireBytes} on-wire bytes is flood-published. */
  public boolean floodPublishes(int wireBytes) {
    return floodPublishMaxBytes > 0 && wireBytes <= floodPublishMaxBytes;
  }

  /** Mutable copy of a {@link GossipConfig}; {@link #build()} validates. */
  public static final class Builder {
    int d;
    int dLow;
    int dHigh;
    int dLazy;
    int dOut;
    int dScore;
    double gossipFactor;
    long heartbeatIntervalMillis;
    long fanoutTtlMillis;
    int mcacheLength;
    int mcacheGossip;
    long seenTtlMillis;
    int maxSeenEntries;
    long pruneBackoffSeconds;
    long graftFloodThresholdMillis;
    int gossipRetransmission;
    int maxIWantIds;
    int maxIHaveLength;
    int maxIHaveMessages;
    int maxIDontWantIds;
    int iDontWantMinDataSize;
    int floodPublishMaxBytes;
    boolean gossipOnGraft;
    int opportunisticGraftTicks;
    int opportunisticGraftPeers;
    long validationTimeoutMillis;
    int maxPendingValidations;
    int maxPayloadSize;
    RpcLimits rpcLimits;
    int maxPeerQueueBytes;
    int maxTopicsPerPeer;
    long maxCacheBytes;
    PeerScoreParams score;

    private Builder(GossipConfig c) {
      d = c.d;
      dLow = c.dLow;
      dHigh = c.dHigh;
      dLazy = c.dLazy;
      dOut = c.dOut;
      dScore = c.dScore;
      gossipFactor = c.gossipFactor;
      heartbeatIntervalMillis = c.heartbeatIntervalMillis;
      fanoutTtlMillis = c.fanoutTtlMillis;
      mcacheLength = c.mcacheLength;
      mcacheGossip = c.mcacheGossip;
      seenTtlMillis = c.seenTtlMillis;
      maxSeenEntries = c.maxSeenEntries;
      pruneBackoffSeconds = c.pruneBackoffSeconds;
      graftFloodThresholdMillis = c.graftFloodThresholdMillis;
      gossipRetransmission = c.gossipRetransmission;
      maxIWantIds = c.maxIWantIds;
      maxIHaveLength = c.maxIHaveLength;
      maxIHaveMessages = c.maxIHaveMessages;
      maxIDontWantIds = c.maxIDontWantIds;
      iDontWantMinDataSize = c.iDontWantMinDataSize;
      floodPublishMaxBytes = c.floodPublishMaxBytes;
      gossipOnGraft = c.gossipOnGraft;
      opportunisticGraftTicks = c.opportunisticGraftTicks;
      opportunisticGraftPeers = c.opportunisticGraftPeers;
      validationTimeoutMillis = c.validationTimeoutMillis;
      maxPendingValidations = c.maxPendingValidations;
      maxPayloadSize = c.maxPayloadSize;
      rpcLimits = c.rpcLimits;
      maxPeerQueueBytes = c.maxPeerQueueBytes;
      maxTopicsPerPeer = c.maxTopicsPerPeer;
      maxCacheBytes = c.maxCacheBytes;
      score = c.score;
    }

    public Builder seenTtlMillis(long v) { seenTtlMillis = v; return this; }
    public Builder graftFloodThresholdMillis(long v) { graftFloodThresholdMillis = v; return this; }
    public Builder gossipRetransmission(int v) { gossipRetransmission = v; return this; }
    public Builder maxIWantIds(int v) { maxIWantIds = v; return this; }
    public Builder maxIHaveLength(int v) { maxIHaveLength = v; return this; }
    public Builder maxIHaveMessages(int v) { maxIHaveMessages = v; return this; }
    public Builder maxIDontWantIds(int v) { maxIDontWantIds = v; return this; }
    public Builder floodPublishMaxBytes(int v) { floodPublishMaxBytes = v; return this; }
    public Builder gossipOnGraft(boolean v) { gossipOnGraft = v; return this; }
    public Builder rpcLimits(RpcLimits v) { rpcLimits = v; return this; }
    public Builder maxPeerQueueBytes(int v) { maxPeerQueueBytes = v; return this; }
    public Builder maxTopicsPerPeer(int v) { maxTopicsPerPeer = v; return this; }
    public Builder maxCacheBytes(long v) { maxCacheBytes = v; return this; }
    public Builder score(PeerScoreParams v) { score = v; return this; }

    public GossipConfig build() {
      return new GossipConfig(d, dLow, dHigh, dLazy, dOut, dScore, gossipFactor, heartbeatIntervalMillis,
          fanoutTtlMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeenEntries, pruneBackoffSeconds,
          graftFloodThresholdMillis, gossipRetransmission, maxIWantIds, maxIHaveLength, maxIHaveMessages,
          maxIDontWantIds, iDontWantMinDataSize, floodPublishMaxBytes, gossipOnGraft, opportunisticGraftTicks,
          opportunisticGraftPeers, validationTimeoutMillis, maxPendingValidations, maxPayloadSize, rpcLimits,
          maxPeerQueueBytes, maxTopicsPerPeer, maxCacheBytes, score);
    }
  }
}
