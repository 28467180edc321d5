package io.leanp2p.cli.peer;

/**
 * One parsed command of the peer protocol (docs/peer-protocol.md). {@code id} is the command's
 * {@code "id"} as given (a {@code Number} or a {@code String}), or null; it is echoed in the
 * event the command produces. {@code timeoutMs} bounds dial / ping / status (0 = default).
 */
public sealed interface PeerRequest {
  /** The command's name as written on the wire. */
  String cmd();

  /** The command's {@code "id"} (Number or String), or null. */
  Object id();

  /** {@code {"cmd":"dial","addr":...}}, optionally {@code "persistent":true} (kept connected). */
  record Dial(Object id, String addr, boolean persistent, long timeoutMs) implements PeerRequest {
    public String cmd() {
      return "dial";
    }
  }

  /** {@code {"cmd":"publish","topic":...,"dataHex":...}} or with {@code "size"} (data then null). */
  record Publish(Object id, String topic, byte[] data, int size) implements PeerRequest {
    public String cmd() {
      return "publish";
    }
  }

  /** {@code {"cmd":"ping","peer":...}} (peer id or multiaddr). */
  record Ping(Object id, String peer, long timeoutMs) implements PeerRequest {
    public String cmd() {
      return "ping";
    }
  }

  /** {@code {"cmd":"status","peer":...,"dataHex":...}} (missing dataHex = empty request). */
  record Status(Object id, String peer, byte[] data, long timeoutMs) implements PeerRequest {
    public String cmd() {
      return "status";
    }
  }

  /** {@code {"cmd":"subscribe","topic":...}}. */
  record Subscribe(Object id, String topic) implements PeerRequest {
    public String cmd() {
      return "subscribe";
    }
  }

  /** {@code {"cmd":"unsubscribe","topic":...}}. */
  record Unsubscribe(Object id, String topic) implements PeerRequest {
    public String cmd() {
      return "unsubscribe";
    }
  }

  /** {@code {"cmd":"info"}}. */
  record Info(Object id) implements PeerRequest {
    public String cmd() {
      return "info";
    }
  }

  /** {@code {"cmd":"stop"}}. */
  record Stop(Object id) implements PeerRequest {
    public String cmd() {
      return "stop";
    }
  }
}
