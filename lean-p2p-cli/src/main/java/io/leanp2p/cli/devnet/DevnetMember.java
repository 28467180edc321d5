package io.leanp2p.cli.devnet;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the devnet runner needs of one node, wherever it runs: in this JVM ({@link LocalMember}) or
 * in a child JVM ({@link RemoteMember}, over the {@link WorkerProtocol} pipe). Calls are blocking
 * and bounded; a node that cannot answer throws {@link DevnetFailure}.
 */
interface DevnetMember extends AutoCloseable {
  /**
   * Where a node reports a block it accepted (slot, node index, System.nanoTime() of arrival) and,
   * if the sink wants them, each first arrival of an attestation.
   */
  @FunctionalInterface
  interface Arrivals {
    void arrived(long slot, int node, long nanos);

    /** {@code node} received the attestation of {@code validator} (a node index) for {@code slot}. */
    default void attested(long slot, int validator, int node) {}
  }

  /** The node's identity and listen addresses once started. */
  record Started(String peerId, List<String> addresses) {}

  /**
   * A published block.
   *
   * @param root the block root (the next block's parent)
   * @param publishedNanos System.nanoTime() just before the publish, taken in the proposer's process
   * @param accepted whether the network accepted the publish
   */
  record Proposal(byte[] root, long publishedNanos, boolean accepted) {}

  /**
   * Mesh peers and known subscribers on the block topic, the connected peers, and the peers known to
   * be subscribed to both the block and the attestation topic (base58 PeerIds), for the mesh wait
   * and the late node's join.
   */
  record MeshCounts(int mesh, int subscribers, List<String> peers, List<String> subscribedPeers) {}

  /** The counters the summary adds up. */
  record Counters(long attestations, long requests, long requestFailures, long drops) {}

  /**
   * The late node's sync.
   *
   * @param blocks blocks fetched and linked
   * @param nanos from the node's start until it held every block (-1 when it did not finish)
   * @param problems what went wrong (empty when fine)
   */
  record SyncResult(int blocks, long nanos, List<String> problems) {}

  int index();

  default String name() {
    return "n" + index();
  }

  String transport();

  /** Starts the node on {@code listen}, subscribes to the lean topics; returns once it listens. */
  Started start(List<String> listen);

  /** Dials a multiaddr (fire and forget; the connection shows up in the peer count). */
  void dial(String multiaddr);

  /** Builds this slot's block on {@code parentRoot} (random bytes from {@code seed}), stores and publishes it. */
  Proposal propose(long slot, byte[] parentRoot, long seed);

  /** Publishes this node's attestation for {@code slot} (random bytes from {@code seed}). */
  boolean attest(long slot, long seed);

  MeshCounts mesh();

  /** The table row (and resets the MB/s interval). */
  NodeRow row();

  Counters counters();

  /**
   * Syncs from {@code peerId} (status, blocks_by_root for its head, blocks_by_range for the rest,
   * parent roots checked), then checks it holds every root of {@code expected} (slot → root).
   */
  CompletableFuture<SyncResult> sync(String peerId, Map<Long, byte[]> expected);

  @Override
  void close();
}
