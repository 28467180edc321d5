package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;
import java.util.Objects;

/**
 * A lean gossip topic {@code /leanconsensus/<network>/<name>/ssz_snappy} (leanSpec {@code
 * gossipsub/topic.py}). {@code name} is {@code block}, {@code aggregation}, {@code attestation}
 * or {@code attestation_<subnet>}. The network name is an opaque string compared as text (for
 * Lstar the constant {@code 12345678}).
 *
 * @param networkName the network ("fork digest") component, non-empty, without {@code /}
 * @param kind what the topic carries
 * @param subnetId the attestation subnet, or {@code -1} for topics without one
 */
public record GossipTopic(String networkName, Kind kind, int subnetId) {
  /** The topic prefix. */
  public static final String PREFIX = "leanconsensus";
  /** The only payload encoding. */
  public static final String ENCODING = "ssz_snappy";
  /** The Lstar network name ({@code LstarSpec.GOSSIP_DIGEST}). */
  public static final String LSTAR_NETWORK = "12345678";

  /** Topic kinds and the SSZ type they carry. */
  public enum Kind {
    /** {@code block}: SignedBlock. */
    BLOCK("block"),
    /** {@code attestation_<subnet>} (or bare {@code attestation}): SignedAttestation. */
    ATTESTATION("attestation"),
    /** {@code aggregation}: SignedAggregatedAttestation. */
    AGGREGATION("aggregation");

    private final String baseName;

    Kind(String baseName) {
      this.baseName = baseName;
    }

    public String baseName() {
      return baseName;
    }
  }

  public GossipTopic {
    Objects.requireNonNull(kind, "kind");
    if (networkName == null || networkName.isEmpty() || networkName.indexOf('/') >= 0) {
      throw new IllegalArgumentException("bad network name: " + networkName);
    }
    if (subnetId < -1 || (kind != Kind.ATTESTATION && subnetId != -1)) {
      throw new IllegalArgumentException("bad subnet " + subnetId + " for " + kind);
    }
  }

  public static GossipTopic block(String network) {
    return new GossipTopic(network, Kind.BLOCK, -1);
  }

  public static GossipTopic aggregation(String network) {
    return new GossipTopic(network, Kind.AGGREGATION, -1);
  }

  public static GossipTopic attestation(String network, int subnetId) {
    if (subnetId < 0) {
      throw new IllegalArgumentException("subnet < 0");
    }
    return new GossipTopic(network, Kind.ATTESTATION, subnetId);
  }

  /** The topic name component: {@code block}, {@code attestation_7}, ... */
  public String topicName() {
    return kind == Kind.ATTESTATION && subnetId >= 0 ? "attestation_" + subnetId : kind.baseName();
  }

  /** The topic string. */
  public String format() {
    return "/" + PREFIX + "/" + networkName + "/" + topicName() + "/" + ENCODING;
  }

  @Override
  public String toString() {
    return format();
  }

  /** Whether the topic belongs to {@code expectedNetworkName} (the fork check). */
  public boolean isForNetwork(String expectedNetworkName) {
    return networkName.equals(expectedNetworkName);
  }

  /**
   * Parses a topic string strictly: exactly {@code /leanconsensus/<network>/<name>/ssz_snappy},
   * subnet ids in canonical decimal.
   */
  public static GossipTopic parse(String topic) throws DecodeException {
    if (topic == null || !topic.startsWith("/")) {
      throw DecodeException.malformed("topic must start with '/': " + topic);
    }
    String[] parts = topic.substring(1).split("/", -1);
    if (parts.length != 4) {
      throw DecodeException.malformed("topic must have 4 components: " + topic);
    }
    if (!PREFIX.equals(parts[0])) {
      throw new DecodeException(DecodeException.Reason.UNSUPPORTED, "topic prefix " + parts[0]);
    }
    if (!ENCODING.equals(parts[3])) {
      throw new DecodeException(DecodeException.Reason.UNSUPPORTED, "topic encoding " + parts[3]);
    }
    if (parts[1].isEmpty()) {
      throw DecodeException.malformed("empty network name");
    }
    return named(parts[1], parts[2]);
  }

  /**
   * The topic of {@code networkName} with the name component {@code topicName} ({@code block},
   * {@code aggregation}, {@code attestation} or {@code attestation_<subnet>}), checked as {@link
   * #parse} checks it: {@code of("12345678", "block").format()} is {@code
   * /leanconsensus/12345678/block/ssz_snappy}.
   */
  public static GossipTopic of(String networkName, String topicName) throws DecodeException {
    if (networkName == null || networkName.isEmpty() || networkName.indexOf('/') >= 0) {
      throw DecodeException.malformed("bad network name: " + networkName);
    }
    return named(networkName, topicName);
  }

  private static GossipTopic named(String network, String name) throws DecodeException {
    if (name.startsWith("attestation_")) {
      return new GossipTopic(network, Kind.ATTESTATION, parseSubnet(name.substring(12)));
    }
    for (Kind k : Kind.values()) {
      if (k.baseName.equals(name)) {
        return new GossipTopic(network, k, -1);
      }
    }
    throw new DecodeException(DecodeException.Reason.UNSUPPORTED, "unknown topic name " + name);
  }

  /** Parses and applies the fork check. */
  public static GossipTopic parse(String topic, String expectedNetworkName) throws DecodeException {
    GossipTopic t = parse(topic);
    if (!t.isForNetwork(expectedNetworkName)) {
      throw new DecodeException(DecodeException.Reason.UNSUPPORTED,
          "topic network " + t.networkName + " != expected " + expectedNetworkName);
    }
    return t;
  }

  private static int parseSubnet(String s) throws DecodeException {
    if (s.isEmpty() || s.length() > 9 || (s.length() > 1 && s.charAt(0) == '0')) {
      throw DecodeException.malformed("bad subnet id: " + s);
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw DecodeException.malformed("bad subnet id: " + s);
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
