package io.leanp2p.examples;

import io.leanp2p.lean.SignedBlockView;
import io.leanp2p.lean.Status;
import java.time.Duration;
import java.util.List;

/**
 * Two {@link MinimalHost}s on 127.0.0.1: host A holds blocks 1..8, host B dials A; A publishes
 * block 9 by gossip, B validates and stores it, asks A for its status and syncs slots 1..8 with
 * blocks_by_range. Run it with {@code mvn -pl examples -am test} (the test command runs it) or
 * from an IDE; it prints what happened and exits 0.
 */
public final class TwoNodeExample {
  /** What the run observed. */
  public record Result(long gossipSlot, long peerHeadSlot, List<Long> syncedSlots, List<Long> slotsOfB) {}

  private TwoNodeExample() {}

  public static void main(String[] args) throws Exception {
    Result r = run(Duration.ofSeconds(30));
    System.out.println("B got block " + r.gossipSlot() + " by gossip; A's head is slot " + r.peerHeadSlot()
        + "; B synced slots " + r.syncedSlots() + " by range and now holds " + r.slotsOfB());
  }

  /** Runs the example; every wait is bounded by {@code timeout}. */
  public static Result run(Duration timeout) throws Exception {
    try (MinimalHost a = new MinimalHost("example-a", List.of(), timeout)) {
      for (long slot = 1; slot <= 8; slot++) {
        a.propose(slot, false); // A's chain before B arrives
      }
      try (MinimalHost b = new MinimalHost("example-b", List.of(a.address()), timeout)) {
        if (!a.awaitMesh(timeout) || !b.awaitMesh(timeout)) {
          throw new IllegalStateException("no gossip mesh between A and B within " + timeout);
        }
        a.propose(9, true);
        SignedBlockView gossiped = b.awaitGossipBlock(timeout);
        if (gossiped == null) {
          throw new IllegalStateException("B got no block by gossip within " + timeout);
        }
        Status status = b.requestStatus(a.peerId(), timeout);
        List<Long> synced = b.syncRange(a.peerId(), 1, status.head().slot() - 1, timeout);
        return new Result(gossiped.slot(), status.head().slot(), synced, b.slots());
      }
    }
  }
}
