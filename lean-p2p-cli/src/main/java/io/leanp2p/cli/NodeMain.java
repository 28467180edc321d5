package io.leanp2p.cli;

/** Runs {@code lean-p2p node}. */
final class NodeMain {
  private NodeMain() {}

  static int run(NodeCommand c) {
    throw new UsageException("node: the network is not available in this build yet");
  }
}
