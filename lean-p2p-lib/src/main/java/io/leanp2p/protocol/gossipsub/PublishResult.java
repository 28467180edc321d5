package io.leanp2p.protocol.gossipsub;

/**
 * The outcome of {@link GossipRouter#publish}.
 *
 * @param status what happened
 * @param messageId the id of the message (null when rejected before computing it)
 * @param recipients peers the message was sent to (empty is fine: no peers yet)
 */
public record PublishResult(Status status, byte[] messageId, java.util.List<io.leanp2p.crypto.PeerId> recipients) {
  /** Publish outcomes. */
  public enum Status {
    /** Cached and sent to {@code recipients} peers. */
    ACCEPTED,
    /** Already seen (published or received before, within the seen TTL): nothing sent. */
    DUPLICATE,
    /** The payload exceeds the configured maximum. */
    TOO_LARGE,
    /** The topic is empty. */
    INVALID_TOPIC
  }

  public boolean accepted() {
    return status == Status.ACCEPTED;
  }
}
