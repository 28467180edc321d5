package io.leanp2p.protocol.gossipsub;

import io.leanp2p.crypto.PeerId;

/**
 * A new (first-seen) gossip message for the host to validate; the host answers with {@link
 * GossipRouter#reportValidation} (or the router treats it as IGNORE after the configured timeout).
 * The node hands it on as {@code NetworkEvent.GossipMessage}: the same fields, in the same order.
 *
 * <p>Ownership: the receiver may keep every array as long as it likes, without copying. {@code
 * data} and {@code messageId} are its own. {@code wireData} is shared with the router, which
 * forwards and serves the message from the same array: read it, keep it, never modify it (a
 * changed array would be forwarded changed). No defensive copy is made on this path.
 *
 * @param topic the topic string
 * @param data the decompressed payload (SSZ), or {@code null} when {@code wireData} is not valid
 *     raw snappy
 * @param wireData the payload as received (raw snappy of the SSZ, for valid messages); shared with
 *     the router: never modify
 * @param messageId the 20-byte message id
 * @param from the peer we received it from (the propagation source: StrictNoSign messages have no
 *     author)
 */
public record GossipMessage(String topic, byte[] data, byte[] wireData, byte[] messageId, PeerId from) {}
