package io.leanp2p.node.swarm;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.config.DnsResolver;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Limits and collaborators of a {@link Swarm}.
 *
 * @param maxConnections live connections (incl. draining duplicates) beyond which new ones are
 *     closed at once ({@code LOCAL_CLOSE: connection limit}); the admission policy decides below it
 * @param negotiationTimeout multistream-select timeout on streams
 * @param requirePeerIdOnDial whether a dial refuses addresses without {@code /p2p/<id>}
 * @param duplicateGrace the losing connection of the duplicate rule stays open (no new streams of
 *     ours go to it) until the remote uses the survivor and two checks this far apart find the
 *     loser carrying no stream: exchanges on it finish, and a remote that has not seen the survivor
 *     yet is still served
 * @param dnsResolver resolves {@code /dns*} addresses off the event loop
 * @param peerNames optional names of known peers (a devnet's node names such as {@code zeam_0}):
 *     the {@code client} label of the lean metrics
 */
public record SwarmConfig(
    int maxConnections,
    Duration negotiationTimeout,
    boolean requirePeerIdOnDial,
    Duration duplicateGrace,
    DnsResolver dnsResolver,
    Map<PeerId, String> peerNames) {

  public SwarmConfig {
    Objects.requireNonNull(negotiationTimeout);
    Objects.requireNonNull(duplicateGrace);
    Objects.requireNonNull(dnsResolver);
    peerNames = Map.copyOf(peerNames);
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1");
    }
  }

  /** 256 connections, 10 s negotiation, {@code /p2p/} optional, 5 s grace, the system resolver. */
  public static SwarmConfig defaults() {
    return new SwarmConfig(256, Duration.ofSeconds(10), false, Duration.ofSeconds(5), DnsResolver.system(), Map.of());
  }

  public SwarmConfig withMaxConnections(int n) {
    return new SwarmConfig(n, negotiationTimeout, requirePeerIdOnDial, duplicateGrace, dnsResolver, peerNames);
  }

  public SwarmConfig withRequirePeerIdOnDial(boolean v) {
    return new SwarmConfig(maxConnections, negotiationTimeout, v, duplicateGrace, dnsResolver, peerNames);
  }

  public SwarmConfig withDuplicateGrace(Duration d) {
    return new SwarmConfig(maxConnections, negotiationTimeout, requirePeerIdOnDial, d, dnsResolver, peerNames);
  }

  public SwarmConfig withDnsResolver(DnsResolver r) {
    return new SwarmConfig(maxConnections, negotiationTimeout, requirePeerIdOnDial, duplicateGrace, r, peerNames);
  }

  public SwarmConfig withPeerNames(Map<PeerId, String> names) {
    return new SwarmConfig(maxConnections, negotiationTimeout, requirePeerIdOnDial, duplicateGrace, dnsResolver, names);
  }
}
