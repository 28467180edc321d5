package io.leanp2p.cli;

/**
 * Bad input from the user (a bad multiaddr, ENR, key, port in use, unreadable file ...): the
 * command prints its message as ONE line on stderr and exits with code 2, without a stack trace.
 */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message, null, false, false);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
