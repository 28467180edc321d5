package io.leanp2p.protocol.gossipsub;

import io.leanp2p.codec.gossip.MessageId;
import io.leanp2p.codec.gossip.RpcLimits;

/**
 * Every router parameter, with lean defaults ({@link #DEFAULT}). Sources: leanSpec {@code
 * gossipsub/parameters.py}, {@code config.py}, {@code behavior.py} (marked "leanSpec"); the
 * gossipsub v1.1/v1.2 specs and go/rust-libp2p defaults (marked "spec").
 *
 * @param d mesh degree D (leanSpec 8)
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
 * @param gossipRetransmission IWANT answers per message per peer per heartbeat window (leanSpec 3)
 * @param maxIWantIds message ids processed per IWANT RPC (leanSpec 5000)
 * @param maxIHaveLength message ids asked for per peer per heartbeat (spec 5000)
 * @param maxIHaveMessages IHAVE entries accepted per peer per heartbeat (spec 10)
 * @param maxIDontWantIds IDONTWANT ids remembered per peer per heartbeat (bounded; excess counted)
 * @param iDontWantMinDataSize IDONTWANT sent for messages with at least this many on-wire bytes
 *     (leanSpec 1024, compressed size)
 * @param floodPublish publish own messages to every subscribed peer above the publish threshold
 *     (spec default true; leanSpec has none, lean default false)
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
    int gossipRetransmission,
    int maxIWantIds,
    int maxIHaveLength,
    int maxIHaveMessages,
    int maxIDontWantIds,
    int iDontWantMinDataSize,
    boolean floodPublish,
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

  /** The lean defaults. */
  public static final GossipConfig DEFAULT = new GossipConfig(
      8, 6, 12, 6, 2, 4, 0.25,
      700, 60_000, 6, 3, 24_000, 1 << 20, 60,
      3, 5000, 5000, 10, 10_000, 1024,
      false, 60, 2,
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
  }

  /** Builder-style copy with other mesh degrees (as the leanSpec handler fixtures set them). */
  public GossipConfig withDegrees(int d, int dLow, int dHigh, int dLazy) {
    return new GossipConfig(d, dLow, dHigh, dLazy, Math.min(dOut, Math.max(0, Math.min(dLow - 1, d / 2))),
        Math.min(dScore, d), gossipFactor, heartbeatIntervalMillis, fanoutTtlMillis, mcacheLength, mcacheGossip,
        seenTtlMillis, maxSeenEntries, pruneBackoffSeconds, gossipRetransmission, maxIWantIds, maxIHaveLength,
        maxIHaveMessages, maxIDontWantIds, iDontWantMinDataSize, floodPublish, opportunisticGraftTicks,
        opportunisticGraftPeers, validationTimeoutMillis, maxPendingValidations, maxPayloadSize, rpcLimits,
        maxPeerQueueBytes, maxTopicsPerPeer, maxCacheBytes, score);
  }

  public GossipConfig withScore(PeerScoreParams s) {
    return new GossipConfig(d, dLow, dHigh, dLazy, dOut, dScore, gossipFactor, heartbeatIntervalMillis,
        fanoutTtlMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeenEntries, pruneBackoffSeconds,
        gossipRetransmission, maxIWantIds, maxIHaveLength, maxIHaveMessages, maxIDontWantIds,
        iDontWantMinDataSize, floodPublish, opportunisticGraftTicks, opportunisticGraftPeers,
        validationTimeoutMillis, maxPendingValidations, maxPayloadSize, rpcLimits, maxPeerQueueBytes, maxTopicsPerPeer, maxCacheBytes, s);
  }

  public GossipConfig withFloodPublish(boolean flood) {
    return new GossipConfig(d, dLow, dHigh, dLazy, dOut, dScore, gossipFactor, heartbeatIntervalMillis,
        fanoutTtlMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeenEntries, pruneBackoffSeconds,
        gossipRetransmission, maxIWantIds, maxIHaveLength, maxIHaveMessages, maxIDontWantIds,
        iDontWantMinDataSize, flood, opportunisticGraftTicks, opportunisticGraftPeers,
        validationTimeoutMillis, maxPendingValidations, maxPayloadSize, rpcLimits, maxPeerQueueBytes, maxTopicsPerPeer, maxCacheBytes, score);
  }

  public GossipConfig withValidation(long timeoutMillis, int maxPending) {
    return new GossipConfig(d, dLow, dHigh, dLazy, dOut, dScore, gossipFactor, heartbeatIntervalMillis,
        fanoutTtlMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeenEntries, pruneBackoffSeconds,
        gossipRetransmission, maxIWantIds, maxIHaveLength, maxIHaveMessages, maxIDontWantIds,
        iDontWantMinDataSize, floodPublish, opportunisticGraftTicks, opportunisticGraftPeers,
        timeoutMillis, maxPending, maxPayloadSize, rpcLimits, maxPeerQueueBytes, maxTopicsPerPeer, maxCacheBytes, score);
  }

  public GossipConfig withOpportunisticGraft(int ticks, int peers) {
    return new GossipConfig(d, dLow, dHigh, dLazy, dOut, dScore, gossipFactor, heartbeatIntervalMillis,
        fanoutTtlMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeenEntries, pruneBackoffSeconds,
        gossipRetransmission, maxIWantIds, maxIHaveLength, maxIHaveMessages, maxIDontWantIds,
        iDontWantMinDataSize, floodPublish, ticks, peers,
        validationTimeoutMillis, maxPendingValidations, maxPayloadSize, rpcLimits, maxPeerQueueBytes, maxTopicsPerPeer, maxCacheBytes, score);
  }

  public GossipConfig withMaxCacheBytes(long bytes) {
    return new GossipConfig(d, dLow, dHigh, dLazy, dOut, dScore, gossipFactor, heartbeatIntervalMillis,
        fanoutTtlMillis, mcacheLength, mcacheGossip, seenTtlMillis, maxSeenEntries, pruneBackoffSeconds,
        gossipRetransmission, maxIWantIds, maxIHaveLength, maxIHaveMessages, maxIDontWantIds,
        iDontWantMinDataSize, floodPublish, opportunisticGraftTicks, opportunisticGraftPeers,
        validationTimeoutMillis, maxPendingValidations, maxPayloadSize, rpcLimits, maxPeerQueueBytes, maxTopicsPerPeer,
        bytes, score);
  }

  static final int MESSAGE_ID_LENGTH = MessageId.LENGTH;
}
