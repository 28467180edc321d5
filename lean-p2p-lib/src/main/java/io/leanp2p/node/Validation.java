package io.leanp2p.node;

/** The host's verdict on a received gossip message (gossipsub v1.1 validation results). */
public enum Validation {
  /** Valid: forward it to the mesh. */
  ACCEPT,
  /** Invalid: do not forward; penalise the peer that propagated it. */
  REJECT,
  /** Not forwarded, no penalty (duplicate, too old, host overloaded ...). */
  IGNORE
}
