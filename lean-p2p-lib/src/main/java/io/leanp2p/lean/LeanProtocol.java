package io.leanp2p.lean;

import java.util.Optional;

/** The lean req/resp protocols (leanSpec {@code reqresp/message.py}); one stream per request. */
public enum LeanProtocol {
  /** Status exchange: request and response are both a {@code Status}; exactly one chunk. */
  STATUS("/leanconsensus/req/status/1/ssz_snappy"),
  /** Blocks by root: one {@code SignedBlock} chunk per known root, in request order. */
  BLOCKS_BY_ROOT("/leanconsensus/req/blocks_by_root/1/ssz_snappy"),
  /** Blocks by range: one {@code SignedBlock} chunk per canonical block in the slot range. */
  BLOCKS_BY_RANGE("/leanconsensus/req/blocks_by_range/1/ssz_snappy");

  private final String id;

  LeanProtocol(String id) {
    this.id = id;
  }

  /** The multistream protocol id. */
  public String id() {
    return id;
  }

  /** The protocol with this multistream id, if it is one of ours. */
  public static Optional<LeanProtocol> fromId(String id) {
    for (LeanProtocol p : values()) {
      if (p.id.equals(id)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return id;
  }
}
