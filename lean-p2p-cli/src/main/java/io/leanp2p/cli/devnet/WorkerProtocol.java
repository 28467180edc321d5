package io.leanp2p.cli.devnet;

import io.leanp2p.peerclient.JsonLines;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON-lines protocol between the devnet parent and a {@code devnet-worker} child, one JSON
 * object per line.
 *
 * <pre>
 * parent → child (stdin):  {"id":7,"cmd":"start|dial|propose|attest|mesh|row|counters|sync","node":3,...}
 * child → parent (stdout): {"id":7,"ok":true,...}  or  {"id":7,"error":"..."}       (one reply per command)
 *                          {"event":"hello","pid":1234,"metricsPort":9101}        (once, when ready)
 *                          {"event":"block","slot":5,"node":3,"ts":123456789}    (a block arrived; ts = System.nanoTime())
 * </pre>
 *
 * Roots travel as hex; every number as a JSON integer, except the row's MB/s. The child closes its
 * nodes and exits when its stdin ends (the parent closed the pipe or died). Pure: formats and
 * parses maps; {@link DecodeException} for anything missing or mistyped.
 */
final class WorkerProtocol {
  private WorkerProtocol() {}

  // ------------------------------------------------------------------ commands

  static Map<String, Object> command(String cmd, int node) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cmd", cmd);
    m.put("node", node);
    return m;
  }

  static Map<String, Object> start(int node, String transport, List<String> listen) {
    Map<String, Object> m = command("start", node);
    m.put("transport", transport);
    m.put("listen", listen);
    return m;
  }

  static Map<String, Object> dial(int node, String addr) {
    Map<String, Object> m = command("dial", node);
    m.put("addr", addr);
    return m;
  }

  static Map<String, Object> propose(int node, long slot, byte[] parentRoot, long seed) {
    Map<String, Object> m = command("propose", node);
    m.put("slot", slot);
    m.put("parent", Hex.encode(parentRoot));
    m.put("seed", seed);
    return m;
  }

  static Map<String, Object> attest(int node, long slot, long seed) {
    Map<String, Object> m = command("attest", node);
    m.put("slot", slot);
    m.put("seed", seed);
    return m;
  }

  static Map<String, Object> sync(int node, String peerId, Map<Long, byte[]> expected) {
    Map<String, Object> m = command("sync", node);
    m.put("peer", peerId);
    Map<String, Object> e = new LinkedHashMap<>();
    new TreeMap<>(expected).forEach((slot, root) -> e.put(Long.toString(slot), Hex.encode(root)));
    m.put("expected", e);
    return m;
  }

  static Map<Long, byte[]> expected(Map<String, Object> syncCommand) throws DecodeException {
    Map<Long, byte[]> out = new TreeMap<>();
    for (Map.Entry<String, Object> e : map(syncCommand, "expected").entrySet()) {
      long slot;
      try {
        slot = Long.parseLong(e.getKey());
      } catch (NumberFormatException ex) {
        throw DecodeException.malformed("expected: slot " + e.getKey() + " is not a number");
      }
      out.put(slot, root(e.getValue(), "expected root"));
    }
    return out;
  }

  // ------------------------------------------------------------------ replies and events

  static Map<String, Object> started(DevnetMember.Started s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("peerId", s.peerId());
    m.put("addrs", s.addresses());
    return m;
  }

  static DevnetMember.Started started(Map<String, Object> m) throws DecodeException {
    List<String> addrs = new ArrayList<>();
    for (Object o : list(m, "addrs")) {
      if (!(o instanceof String s)) {
        throw DecodeException.malformed("addrs: not a string");
      }
      addrs.add(s);
    }
    return new DevnetMember.Started(string(m, "peerId"), addrs);
  }

  static Map<String, Object> proposal(DevnetMember.Proposal p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("root", Hex.encode(p.root()));
    m.put("ts", p.publishedNanos());
    m.put("accepted", p.accepted());
    return m;
  }

  static DevnetMember.Proposal proposal(Map<String, Object> m) throws DecodeException {
    return new DevnetMember.Proposal(root(m.get("root"), "root"), number(m, "ts"), bool(m, "accepted"));
  }

  static Map<String, Object> mesh(DevnetMember.MeshCounts c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mesh", c.mesh());
    m.put("subscribers", c.subscribers());
    m.put("peers", c.peers());
    m.put("subscribedPeers", c.subscribedPeers());
    return m;
  }

  static DevnetMember.MeshCounts mesh(Map<String, Object> m) throws DecodeException {
    return new DevnetMember.MeshCounts((int) number(m, "mesh"), (int) number(m, "subscribers"), strings(m, "peers"),
        strings(m, "subscribedPeers"));
  }

  static Map<String, Object> row(NodeRow r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("transport", r.transport());
    m.put("peers", r.peers());
    m.put("mesh", r.mesh());
    m.put("msgsIn", r.msgsIn());
    m.put("msgsOut", r.msgsOut());
    m.put("mbPerSec", r.mbPerSec());
    m.put("blocks", r.blocks());
    m.put("attestations", r.attestations());
    m.put("requests", r.requests());
    m.put("reqP50", r.reqLatencyP50Nanos());
    m.put("queue", r.queueDepth());
    m.put("drops", r.drops());
    return m;
  }

  static NodeRow row(Map<String, Object> m) throws DecodeException {
    Object mb = m.get("mbPerSec");
    if (!(mb instanceof Number n)) {
      throw DecodeException.malformed("mbPerSec: not a number");
    }
    return new NodeRow(string(m, "name"), string(m, "transport"), (int) number(m, "peers"), (int) number(m, "mesh"),
        number(m, "msgsIn"), number(m, "msgsOut"), n.doubleValue(), number(m, "blocks"), number(m, "attestations"),
        number(m, "requests"), number(m, "reqP50"), number(m, "queue"), number(m, "drops"));
  }

  static Map<String, Object> counters(DevnetMember.Counters c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("attestations", c.attestations());
    m.put("requests", c.requests());
    m.put("requestFailures", c.requestFailures());
    m.put("drops", c.drops());
    return m;
  }

  static DevnetMember.Counters counters(Map<String, Object> m) throws DecodeException {
    return new DevnetMember.Counters(number(m, "attestations"), number(m, "requests"), number(m, "requestFailures"),
        number(m, "drops"));
  }

  static Map<String, Object> syncResult(DevnetMember.SyncResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("blocks", r.blocks());
    m.put("nanos", r.nanos());
    m.put("problems", r.problems());
    return m;
  }

  static DevnetMember.SyncResult syncResult(Map<String, Object> m) throws DecodeException {
    List<String> problems = new ArrayList<>();
    for (Object o : list(m, "problems")) {
      problems.add(String.valueOf(o));
    }
    return new DevnetMember.SyncResult((int) number(m, "blocks"), number(m, "nanos"), problems);
  }

  static Map<String, Object> attestation(long slot, int validator, int node) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", "attestation");
    m.put("slot", slot);
    m.put("validator", validator);
    m.put("node", node);
    return m;
  }

  static Map<String, Object> block(long slot, int node, long nanos) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", "block");
    m.put("slot", slot);
    m.put("node", node);
    m.put("ts", nanos);
    return m;
  }

  static Map<String, Object> hello(long pid, Integer metricsPort) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", "hello");
    m.put("pid", pid);
    m.put("metricsPort", metricsPort);
    return m;
  }

  /** A reply: {@code id}, {@code ok}, then the fields of {@code body}. */
  static Map<String, Object> reply(long id, Map<String, Object> body) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("ok", true);
    m.putAll(body);
    return m;
  }

  static Map<String, Object> error(long id, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("error", message);
    return m;
  }

  /** One line (no newline inside: the writer escapes control characters). */
  static String line(Map<String, Object> m) {
    return JsonLines.write(m);
  }

  static Map<String, Object> parse(String line) throws DecodeException {
    try {
      return JsonLines.parseObject(line);
    } catch (JsonLines.MalformedJson e) {
      throw DecodeException.malformed("JSON: " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ field access

  static long number(Map<String, Object> m, String key) throws DecodeException {
    Object v = m.get(key);
    if (!(v instanceof Number n)) {
      throw DecodeException.malformed(key + ": not a number");
    }
    Long exact = JsonLines.integer(n);
    if (exact == null) {
      throw DecodeException.malformed(key + ": not a 64-bit integer");
    }
    return exact;
  }

  static String string(Map<String, Object> m, String key) throws DecodeException {
    if (!(m.get(key) instanceof String s)) {
      throw DecodeException.malformed(key + ": not a string");
    }
    return s;
  }

  static boolean bool(Map<String, Object> m, String key) throws DecodeException {
    if (!(m.get(key) instanceof Boolean b)) {
      throw DecodeException.malformed(key + ": not a boolean");
    }
    return b;
  }

  static List<?> list(Map<String, Object> m, String key) throws DecodeException {
    if (!(m.get(key) instanceof List<?> l)) {
      throw DecodeException.malformed(key + ": not a list");
    }
    return l;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> m, String key) throws DecodeException {
    if (!(m.get(key) instanceof Map<?, ?> x)) {
      throw DecodeException.malformed(key + ": not an object");
    }
    return (Map<String, Object>) x;
  }

  static List<String> strings(Map<String, Object> m, String key) throws DecodeException {
    List<String> out = new ArrayList<>();
    for (Object o : list(m, key)) {
      if (!(o instanceof String s)) {
        throw DecodeException.malformed(key + ": not a list of strings");
      }
      out.add(s);
    }
    return out;
  }

  static byte[] root(Object v, String what) throws DecodeException {
    if (!(v instanceof String s) || s.length() != 64) {
      throw DecodeException.malformed(what + ": not 32 bytes of hex");
    }
    try {
      return Hex.decode(s);
    } catch (RuntimeException e) {
      throw DecodeException.malformed(what + ": not hex");
    }
  }
}
