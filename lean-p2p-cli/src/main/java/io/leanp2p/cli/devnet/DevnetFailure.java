package io.leanp2p.cli.devnet;

/** The devnet cannot go on (a child process died or stopped answering): one line for the user. */
final class DevnetFailure extends RuntimeException {
  DevnetFailure(String message) {
    super(message, null, false, false);
  }
}
