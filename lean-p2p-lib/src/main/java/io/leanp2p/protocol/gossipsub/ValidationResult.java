package io.leanp2p.protocol.gossipsub;

/** The host's verdict on a received message. */
public enum ValidationResult {
  /** Valid: cache, forward to the mesh, credit the source. */
  ACCEPT,
  /** Invalid: drop and penalise the propagation source (score P4). */
  REJECT,
  /** Not forwarded, no penalty (also what a timeout or an overloaded host means). */
  IGNORE
}
