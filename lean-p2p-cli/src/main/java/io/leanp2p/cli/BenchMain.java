package io.leanp2p.cli;

/** Runs {@code lean-p2p bench}. */
final class BenchMain {
  private BenchMain() {}

  static int run(BenchCommand c) {
    throw new UsageException("bench: not available in this build yet");
  }
}
