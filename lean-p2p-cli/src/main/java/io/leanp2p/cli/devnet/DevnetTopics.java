package io.leanp2p.cli.devnet;

/** The lean gossip topics of one network name: {@code /leanconsensus/<name>/<topic>/ssz_snappy}. */
public record DevnetTopics(String block, String attestation, String aggregation) {
  public static DevnetTopics of(String networkName) {
    return new DevnetTopics(topic(networkName, "block"), topic(networkName, "attestation_0"),
        topic(networkName, "aggregation"));
  }

  public static String topic(String networkName, String name) {
    return "/leanconsensus/" + networkName + "/" + name + "/ssz_snappy";
  }
}
