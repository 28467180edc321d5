package io.leanp2p.cli.devnet;

/**
 * One node's line in the devnet table.
 *
 * @param mesh the node's mesh size on the block topic
 * @param mbPerSec gossip bytes received per second over the last interval, in MB/s
 * @param reqLatencyP50Nanos p50 latency of this node's own requests (-1 when none)
 * @param queueDepth events waiting for delivery plus commands waiting for the loop
 * @param drops messages/commands/events dropped or shed (all reasons)
 */
public record NodeRow(
    String name,
    String transport,
    int peers,
    int mesh,
    long msgsIn,
    long msgsOut,
    double mbPerSec,
    long blocks,
    long attestations,
    long requests,
    long reqLatencyP50Nanos,
    long queueDepth,
    long drops) {}
