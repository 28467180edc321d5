package io.leanp2p.protocol.gossipsub;

/**
 * Counters of the router (internal; read them through {@link GossipCounters.Snapshot}), mutated on its thread only; the router's snapshot copies them into an
 * immutable record other threads may read.
 */
public final class GossipCounters {
  GossipCounters() {}

  long rpcsReceived;
  long rpcsFromUnknownPeer;
  long rpcsGraylisted;
  long messagesReceived;
  long messagesDelivered;
  long messagesDuplicate;
  long messagesDroppedSignedFields;
  long messagesDroppedUnsubscribed;
  long messagesDroppedTooLarge;
  long messagesDroppedValidationQueueFull;
  long messagesAccepted;
  long messagesRejected;
  long messagesIgnored;
  long validationTimeouts;
  long validationUnknown;
  long messagesForwarded;
  long messagesPublished;
  long publishDuplicates;
  long iwantServed;
  long iwantRetransmissionCapped;
  long iwantIdsTruncated;
  long iwantSent;
  long ihaveSent;
  long ihaveIgnored;
  long idontwantSent;
  long idontwantReceived;
  long idontwantSkipped;
  long idontwantDropped;
  long graftsReceived;
  long graftsRejected;
  long prunesReceived;
  long badMessageIds;
  long seenEvicted;
  long rpcsSent;
  long subscriptionsDropped;
  long publishFlooded;
  long publishTopUpPeers;
  long ihaveRpcsOverLimit;
  long ihaveIdsOverLimit;
  long graftsIgnoredUnsubscribed;
  long graftsDuringBackoff;
  long graftFloodPenalties;
  long prunesCoalesced;
  long ihaveOnGraft;

  /** An immutable copy of all counters. */
  public record Snapshot(
      long rpcsReceived, long rpcsFromUnknownPeer, long rpcsGraylisted, long messagesReceived,
      long messagesDelivered, long messagesDuplicate, long messagesDroppedSignedFields,
      long messagesDroppedUnsubscribed, long messagesDroppedTooLarge, long messagesDroppedValidationQueueFull,
      long messagesAccepted, long messagesRejected, long messagesIgnored, long validationTimeouts,
      long validationUnknown, long messagesForwarded, long messagesPublished, long publishDuplicates,
      long iwantServed, long iwantRetransmissionCapped, long iwantIdsTruncated, long iwantSent, long ihaveSent,
      long ihaveIgnored, long idontwantSent, long idontwantReceived, long idontwantSkipped, long idontwantDropped,
      long graftsReceived, long graftsRejected, long prunesReceived, long badMessageIds, long seenEvicted,
      long rpcsSent, long subscriptionsDropped, long mcacheEvictedEarly, long publishFlooded,
      long publishTopUpPeers, long ihaveRpcsOverLimit, long ihaveIdsOverLimit, long graftsIgnoredUnsubscribed,
      long graftsDuringBackoff, long graftFloodPenalties, long prunesCoalesced, long ihaveOnGraft) {}

  Snapshot snapshot(long mcacheEvictedEarly) {
    return new Snapshot(rpcsReceived, rpcsFromUnknownPeer, rpcsGraylisted, messagesReceived, messagesDelivered,
        messagesDuplicate, messagesDroppedSignedFields, messagesDroppedUnsubscribed, messagesDroppedTooLarge,
        messagesDroppedValidationQueueFull, messagesAccepted, messagesRejected, messagesIgnored,
        validationTimeouts, validationUnknown, messagesForwarded, messagesPublished, publishDuplicates,
        iwantServed, iwantRetransmissionCapped, iwantIdsTruncated, iwantSent, ihaveSent, ihaveIgnored,
        idontwantSent, idontwantReceived, idontwantSkipped, idontwantDropped, graftsReceived, graftsRejected,
        prunesReceived, badMessageIds, seenEvicted, rpcsSent, subscriptionsDropped, mcacheEvictedEarly,
        publishFlooded, publishTopUpPeers, ihaveRpcsOverLimit, ihaveIdsOverLimit, graftsIgnoredUnsubscribed,
        graftsDuringBackoff, graftFloodPenalties, prunesCoalesced, ihaveOnGraft);
  }
}
