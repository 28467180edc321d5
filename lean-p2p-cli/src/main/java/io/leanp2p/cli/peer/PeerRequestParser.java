package io.leanp2p.cli.peer;

import io.leanp2p.peerclient.JsonLines;
import java.util.Map;

/** Parses one stdin line of the peer protocol into a {@link PeerRequest}. Pure; never throws else. */
public final class PeerRequestParser {
  /** The largest payload a command may carry or ask for (the network's 10 MiB limit). */
  public static final int MAX_PAYLOAD = 10 * 1024 * 1024;
  /** The smallest sized payload (8-byte counter + 8-byte nonce). */
  public static final int MIN_SIZED_PAYLOAD = 16;
  /** The longest line accepted: a 10 MiB payload in hex plus the command around it. */
  public static final int MAX_LINE_CHARS = 2 * MAX_PAYLOAD + 64 * 1024;

  private PeerRequestParser() {}

  /**
   * Parses a line.
   *
   * @return the request, or null for a blank line (ignored)
   * @throws PeerProtocolException with the command name and id when known
   */
  public static PeerRequest parse(String line) throws PeerProtocolException {
    if (line.isBlank()) {
      return null;
    }
    if (line.length() > MAX_LINE_CHARS) {
      throw new PeerProtocolException(null, null, "line longer than " + MAX_LINE_CHARS + " characters");
    }
    Object value;
    try {
      value = JsonLines.parse(line);
    } catch (JsonLines.MalformedJson e) {
      throw new PeerProtocolException(null, null, "malformed JSON line: " + e.getMessage());
    }
    if (!(value instanceof Map<?, ?> raw)) {
      throw new PeerProtocolException(null, null, "a command must be a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) raw;
    Object id = m.get("id");
    if (id != null && !(id instanceof Number) && !(id instanceof String)) {
      throw new PeerProtocolException(null, null, "\"id\" must be a number or a string");
    }
    Object name = m.get("cmd");
    if (!(name instanceof String cmd)) {
      throw new PeerProtocolException(null, id, "missing \"cmd\" (a string)");
    }
    return switch (cmd) {
      case "dial" -> new PeerRequest.Dial(id, string(m, cmd, id, "addr"), flag(m, cmd, id, "persistent"),
          timeout(m, cmd, id));
      case "publish" -> publish(m, id);
      case "ping" -> new PeerRequest.Ping(id, string(m, cmd, id, "peer"), timeout(m, cmd, id));
      case "status" -> {
        String peer = string(m, cmd, id, "peer");
        byte[] data = m.containsKey("dataHex") ? hex(m, cmd, id) : new byte[0];
        yield new PeerRequest.Status(id, peer, data, timeout(m, cmd, id));
      }
      case "subscribe" -> new PeerRequest.Subscribe(id, string(m, cmd, id, "topic"));
      case "unsubscribe" -> new PeerRequest.Unsubscribe(id, string(m, cmd, id, "topic"));
      case "info" -> new PeerRequest.Info(id);
      case "stop" -> new PeerRequest.Stop(id);
      default -> throw new PeerProtocolException(cmd, id, "unknown command: \"" + cmd + "\"");
    };
  }

  private static PeerRequest publish(Map<String, Object> m, Object id) throws PeerProtocolException {
    String topic = string(m, "publish", id, "topic");
    boolean hasHex = m.containsKey("dataHex");
    boolean hasSize = m.containsKey("size");
    if (hasHex == hasSize) {
      throw new PeerProtocolException("publish", id, "publish needs exactly one of \"dataHex\" or \"size\"");
    }
    if (hasHex) {
      byte[] data = hex(m, "publish", id);
      return new PeerRequest.Publish(id, topic, data, data.length);
    }
    long size = integer(m, "publish", id, "size");
    if (size < MIN_SIZED_PAYLOAD || size > MAX_PAYLOAD) {
      throw new PeerProtocolException(
          "publish", id, "size must be an integer in [" + MIN_SIZED_PAYLOAD + ", " + MAX_PAYLOAD + "]");
    }
    return new PeerRequest.Publish(id, topic, null, (int) size);
  }

  private static String string(Map<String, Object> m, String cmd, Object id, String key)
      throws PeerProtocolException {
    if (!(m.get(key) instanceof String s) || s.isEmpty()) {
      throw new PeerProtocolException(cmd, id, "missing \"" + key + "\" (a non-empty string)");
    }
    return s;
  }

  private static byte[] hex(Map<String, Object> m, String cmd, Object id) throws PeerProtocolException {
    if (!(m.get("dataHex") instanceof String s)) {
      throw new PeerProtocolException(cmd, id, "\"dataHex\" must be a string");
    }
    if (s.length() / 2 > MAX_PAYLOAD) {
      throw new PeerProtocolException(cmd, id, "payload over 10 MiB");
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        throw new PeerProtocolException(cmd, id, "dataHex is not hex");
      }
    }
    if ((s.length() & 1) != 0) {
      throw new PeerProtocolException(cmd, id, "dataHex has an odd number of digits");
    }
    return io.leanp2p.util.Hex.decode(s);
  }

  /** An optional boolean field: absent is false. */
  private static boolean flag(Map<String, Object> m, String cmd, Object id, String key) throws PeerProtocolException {
    Object v = m.get(key);
    if (v == null) {
      return false;
    }
    if (!(v instanceof Boolean b)) {
      throw new PeerProtocolException(cmd, id, "\"" + key + "\" must be true or false");
    }
    return b;
  }

  private static long integer(Map<String, Object> m, String cmd, Object id, String key)
      throws PeerProtocolException {
    if (!(m.get(key) instanceof Number n)) {
      throw new PeerProtocolException(cmd, id, "\"" + key + "\" must be a number");
    }
    Long v = JsonLines.integer(n);
    if (v == null) {
      throw new PeerProtocolException(cmd, id, "\"" + key + "\" must be an integer");
    }
    return v;
  }

  private static long timeout(Map<String, Object> m, String cmd, Object id) throws PeerProtocolException {
    if (!m.containsKey("timeoutMs")) {
      return 0;
    }
    long t = integer(m, cmd, id, "timeoutMs");
    if (t <= 0 || t > 3_600_000) {
      throw new PeerProtocolException(cmd, id, "\"timeoutMs\" must be in [1, 3600000]");
    }
    return t;
  }
}
