package io.leanp2p.cli.devnet;

import io.leanp2p.cli.UsageException;

/** Runs the devnet. */
final class DevnetRunner {
  private DevnetRunner() {}

  static int run(DevnetCommand.DevnetOptions o) {
    throw new UsageException("devnet: the network is not available in this build yet");
  }
}
