package io.leanp2p.types;

/**
 * The host's verdict on a received gossip message (gossipsub v1.1 validation results): the one
 * enum the router and the host API ({@code LeanNetwork.reportValidation}) share.
 */
public enum Validation {
  /** Valid: cache it, forward it to the mesh, credit the source. */
  ACCEPT,
  /** Invalid: do not forward; penalise the peer that propagated it (score P4). */
  REJECT,
  /** Not forwarded, no penalty (duplicate, too old, host overloaded; also what a timeout means). */
  IGNORE
}
