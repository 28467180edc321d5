package io.leanp2p.protocol.identify;

import io.leanp2p.crypto.PublicKey;
import io.leanp2p.multiformats.Multiaddr;
import java.util.List;

/**
 * What a remote peer told us about itself with identify. Addresses that failed to decode are
 * left out (and counted by {@link Identify}).
 *
 * @param publicKey its identity key (null if it sent none)
 * @param protocols the protocols it serves
 * @param listenAddrs the addresses it listens on
 * @param observedAddr our address as it sees it (null if absent or undecodable)
 * @param agentVersion e.g. {@code lean-p2p/0.1.0}
 * @param protocolVersion e.g. {@code ipfs/0.1.0}
 */
public record IdentifyInfo(
    PublicKey publicKey,
    List<String> protocols,
    List<Multiaddr> listenAddrs,
    Multiaddr observedAddr,
    String agentVersion,
    String protocolVersion) {}
