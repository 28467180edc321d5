package io.leanp2p.cli.peer;

/**
 * A command line that cannot be carried out (malformed JSON, unknown command, missing or bad
 * field): answered with an {@code error} event carrying {@link #cmd()} and {@link #id()}.
 */
public final class PeerProtocolException extends Exception {
  private final String cmd;
  private final Object id;

  public PeerProtocolException(String cmd, Object id, String message) {
    super(message, null, false, false);
    this.cmd = cmd;
    this.id = id;
  }

  /** The command name if it could be read, else null. */
  public String cmd() {
    return cmd;
  }

  /** The command's id if it could be read, else null. */
  public Object id() {
    return id;
  }
}
