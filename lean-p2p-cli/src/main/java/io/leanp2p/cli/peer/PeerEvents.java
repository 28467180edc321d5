package io.leanp2p.cli.peer;

import io.leanp2p.util.Hex;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders of the peer protocol's event objects (field order as in docs/peer-protocol.md). */
public final class PeerEvents {
  private PeerEvents() {}

  /** A millisecond value with sub-ms precision from nanoseconds, written as a plain JSON number. */
  public static BigDecimal millis(long nanos) {
    return BigDecimal.valueOf(nanos).movePointLeft(6);
  }

  public static String sha256Hex(byte[] data) {
    return Hex.encode(sha256(data));
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> event(String name) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", name);
    return m;
  }

  /** Adds {@code "id"} when the command had one. */
  static Map<String, Object> withId(Map<String, Object> event, Object id) {
    if (id != null) {
      event.put("id", id);
    }
    return event;
  }

  public static Map<String, Object> listening(
      Collection<String> addrs, String peerId, String keyHex, Collection<String> topics) {
    Map<String, Object> m = event("listening");
    m.put("addrs", List.copyOf(addrs));
    m.put("peerId", peerId);
    m.put("keyHex", keyHex);
    m.put("topics", List.copyOf(topics));
    return m;
  }

  /** {@code connected} / {@code disconnected}; direction is {@code inbound} or {@code outbound}. */
  public static Map<String, Object> connection(boolean connected, String peer, String addr, String direction) {
    Map<String, Object> m = event(connected ? "connected" : "disconnected");
    m.put("peer", peer);
    m.put("addr", addr);
    m.put("direction", direction);
    return m;
  }

  public static Map<String, Object> subscription(String peer, String topic, boolean subscribed) {
    Map<String, Object> m = event("subscription");
    m.put("peer", peer);
    m.put("topic", topic);
    m.put("subscribed", subscribed);
    return m;
  }

  /** {@code graft} / {@code prune}. */
  public static Map<String, Object> meshChange(boolean graft, String peer, String topic) {
    Map<String, Object> m = event(graft ? "graft" : "prune");
    m.put("peer", peer);
    m.put("topic", topic);
    return m;
  }

  /** A received gossip message; {@code wire} is the payload as received. */
  public static Map<String, Object> message(String topic, byte[] wire, String msgIdHex, String from, long tsNanos) {
    Map<String, Object> m = event("message");
    m.put("topic", topic);
    m.put("len", wire.length);
    m.put("sha256", sha256Hex(wire));
    m.put("msgId", msgIdHex);
    m.put("from", from);
    m.put("ts", millis(tsNanos));
    return m;
  }

  public static Map<String, Object> statusRequest(String peer, byte[] data) {
    Map<String, Object> m = event("status-request");
    m.put("peer", peer);
    m.put("len", data.length);
    m.put("sha256", sha256Hex(data));
    return m;
  }

  public static Map<String, Object> error(String cmd, Object id, String error) {
    Map<String, Object> m = event("error");
    m.put("cmd", cmd);
    withId(m, id);
    m.put("error", error);
    return m;
  }
}
