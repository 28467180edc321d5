package io.leanp2p.protocol.gossipsub;

import java.util.List;
import java.util.Optional;

/** The gossipsub protocol versions this router speaks; 1.2 adds IDONTWANT. */
public enum GossipProtocol {
  /** {@code /meshsub/1.2.0}: the lean protocol (preferred, the only one leanSpec accepts). */
  V1_2("/meshsub/1.2.0"),
  /** {@code /meshsub/1.1.0}: no IDONTWANT. */
  V1_1("/meshsub/1.1.0");

  private final String id;

  GossipProtocol(String id) {
    this.id = id;
  }

  /** The multistream protocol id. */
  public String id() {
    return id;
  }

  public boolean supportsIDontWant() {
    return this == V1_2;
  }

  /** Protocol ids to offer / accept in multistream-select, most preferred first. */
  public static List<String> idsByPreference() {
    return List.of(V1_2.id, V1_1.id);
  }

  public static Optional<GossipProtocol> fromId(String protocolId) {
    for (GossipProtocol p : values()) {
      if (p.id.equals(protocolId)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
