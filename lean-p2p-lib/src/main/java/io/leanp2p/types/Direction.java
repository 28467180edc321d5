package io.leanp2p.types;

/** Who opened a connection or stream. */
public enum Direction {
  INBOUND,
  OUTBOUND;

  public String wireName() {
    return this == INBOUND ? "inbound" : "outbound";
  }
}
