package io.leanp2p.cli.peer;

import io.leanp2p.cli.UsageException;
import java.util.List;

/** Starts the network behind {@code lean-p2p peer} and runs the session on stdin/stdout. */
final class PeerMain {
  private PeerMain() {}

  static int run(int tcpPort, int quicPort, List<String> topics, String keyHex) {
    throw new UsageException("peer: the network is not available in this build yet");
  }
}
