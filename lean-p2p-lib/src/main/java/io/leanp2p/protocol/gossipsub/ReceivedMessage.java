package io.leanp2p.protocol.gossipsub;

import io.leanp2p.crypto.PeerId;

/**
 * A new (first-seen) message handed to the host for validation. The host must answer with
 * {@link GossipRouter#reportValidation} (or the router treats it as IGNORE after the configured
 * timeout). Arrays are owned by the receiver (not shared with router state).
 *
 * @param topic the topic string
 * @param wireData the payload as received (raw snappy of the SSZ, for valid messages)
 * @param ssz the decompressed payload, or {@code null} when {@code wireData} is not valid snappy
 * @param messageId the 20-byte message id
 * @param propagationSource the peer we received it from
 */
public record ReceivedMessage(String topic, byte[] wireData, byte[] ssz, byte[] messageId, PeerId propagationSource) {}
