package io.leanp2p.cli.devnet;

import io.leanp2p.lean.GossipTopic;

/**
 * The lean gossip topics the devnet uses on one network name: blocks, attestation subnet 0 and
 * aggregations; the strings come from the library's {@link GossipTopic}.
 */
public record DevnetTopics(String block, String attestation, String aggregation) {
  public static DevnetTopics of(String networkName) {
    return new DevnetTopics(GossipTopic.block(networkName).format(),
        GossipTopic.attestation(networkName, 0).format(), GossipTopic.aggregation(networkName).format());
  }
}
