package io.leanp2p.node;

/**
 * The answer to {@link LeanNetwork#sendRequest}: the outcome and, when accepted, the request id
 * that every later event of this request carries. Ids are per network, start at 1 and are never
 * reused (an id taken by a refused call is simply skipped). A refused call has id 0.
 */
public record RequestHandle(Outcome outcome, long requestId) {
  public boolean isAccepted() {
    return outcome.isAccepted();
  }
}
