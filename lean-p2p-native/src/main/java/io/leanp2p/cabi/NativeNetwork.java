package io.leanp2p.cabi;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.NetworkListener;
import io.leanp2p.node.NetworkSnapshot;
import io.leanp2p.node.Outcome;
import io.leanp2p.node.ReconnectPolicy;
import io.leanp2p.node.RequestHandle;
import io.leanp2p.node.StartException;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.util.DecodeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network of a native host: the adapter between liblean_p2p.so and {@link LeanNetwork}.
 *
 * <p>The C library calls {@link #start} and then the instance methods, from any host thread (each
 * maps one C command to one host-API call and returns a {@code lean_p2p_outcome} number). As the
 * network's {@link NetworkListener} it turns every {@link NetworkEvent} into one call of {@link
 * NativeCallbacks} on the network's delivery thread. It holds no lock and adds no queue: shedding,
 * ordering and the terminal-event guarantees are the host API's own.
 */
public final class NativeNetwork implements NetworkListener {
  // which callbacks the host set (bit per callback; the C library computes the mask)
  static final int CB_GOSSIP = 1;
  static final int CB_REQUEST = 1 << 1;
  static final int CB_RESPONSE = 1 << 2;
  static final int CB_END_OF_STREAM = 1 << 3;
  static final int CB_RPC_ERROR = 1 << 4;
  static final int CB_CHANNEL_CLOSED = 1 << 5;
  static final int CB_CONNECTED = 1 << 6;
  static final int CB_DISCONNECTED = 1 << 7;
  static final int CB_CONNECTION_FAILED = 1 << 8;
  static final int CB_DIAL_GAVE_UP = 1 << 9;
  static final int CB_SUBSCRIPTION = 1 << 10;
  static final int CB_MESH = 1 << 11;
  static final int CB_PUBLISHED = 1 << 12;
  static final int CB_PING = 1 << 13;
  static final int CB_ABANDONED = 1 << 14;

  private static final Logger LOG = LoggerFactory.getLogger(NativeNetwork.class);

  /** The adapter's own counter, readable through {@code lean_p2p_get_metric}. */
  static final String UNDECODABLE_METRIC = "leanp2p_native_gossip_undecodable_total";

  /**
   * Host threads the C library attached to the JVM and that are still attached (process-wide,
   * readable through any network): a host thread is detached when it exits.
   */
  static final String ATTACHED_METRIC = "leanp2p_native_attached_host_threads";

  /** Live JVM threads whose name starts with the label {@code prefix} (process-wide). */
  static final String THREADS_METRIC = "leanp2p_native_threads";

  /** The reason of the last refused command on this thread (read by C only after a refusal). */
  private static final ThreadLocal<String> REASON = new ThreadLocal<>();

  private final long handle;
  private final String name;
  private final int callbacks;
  private final int maxPayload;
  private final CompletableFuture<LeanNetwork> network = new CompletableFuture<>();
  private final LongAdder undecodable = new LongAdder();
  private volatile LeanNetwork net; // set once, right after start
  private volatile int startCode;
  private volatile String startMessage = ""; // also written by awaitReady on waiting threads

  private NativeNetwork(long handle, String name, int callbacks, int maxPayload) {
    this.handle = handle;
    this.name = name;
    this.callbacks = callbacks;
    this.maxPayload = maxPayload;
  }

  // ------------------------------------------------------------------------- lifecycle

  /**
   * Creates and starts a network. Never throws for bad input: the result's {@link #startCode()}
   * is START_OK or the typed failure (key, address, invalid), with {@link #startMessage()}.
   *
   * @param handle the C library's handle of this network, passed back with every callback
   * @param keyHex secp256k1 private key hex, or null/empty for a fresh key
   * @param listenCsv comma-separated listen multiaddrs
   * @param connectCsv comma-separated multiaddrs or ENRs, or null/empty
   * @param callbacks the mask of callbacks the host set ({@code CB_*})
   * @param limits gossip queue, inbound request queue, command lane capacity, max peers (0 =
   *     default each)
   */
  public static NativeNetwork start(
      long handle, String name, String keyHex, String listenCsv, String connectCsv, int callbacks,
      int[] limits, int flags) {
    NativeNetwork n = new NativeNetwork(handle, name, callbacks, NetworkConfig.MAX_PAYLOAD);
    NetworkConfig.Builder b = NetworkConfig.builder().name(name);
    if (keyHex != null && !keyHex.isBlank()) {
      String k = keyHex.strip();
      if (k.startsWith("0x") || k.startsWith("0X")) {
        k = k.substring(2);
      }
      try {
        b.identity(Secp256k1PrivateKey.fromHex(k));
      } catch (DecodeException | RuntimeException e) {
        return n.failed(Codes.START_KEY, "not a secp256k1 private key (64 hex digits): " + e.getMessage());
      }
    }
    List<String> listen = split(listenCsv);
    List<String> connect = split(connectCsv);
    if (listen.isEmpty()) {
      return n.failed(Codes.START_ADDRESS, "no listen address");
    }
    for (String a : listen) {
      try {
        Multiaddr.parse(a);
      } catch (DecodeException | RuntimeException e) {
        return n.failed(Codes.START_ADDRESS, "bad listen address " + a + ": " + e.getMessage());
      }
    }
    for (String a : connect) {
      try {
        LeanNetwork.parseDialable(a);
      } catch (DecodeException | RuntimeException e) {
        return n.failed(Codes.START_ADDRESS, "bad connect address " + a + ": " + e.getMessage());
      }
    }
    b.listenAddresses(listen).bootnodes(connect);
    if (limits[0] > 0) {
      b.gossipQueueCapacity(limits[0]);
    }
    if (limits[1] > 0) {
      b.inboundRequestQueueCapacity(limits[1]);
    }
    if (limits[2] > 0) {
      b.controlLaneCapacity(limits[2]).bulkLaneCapacity(limits[2]);
    }
    if (limits[3] > 0) {
      b.maxPeers(limits[3]);
    }
    if ((flags & Codes.FLAG_PUBLISH_EVENTS) != 0) {
      b.publishEvents(true);
    }
    if ((flags & Codes.FLAG_NO_RECONNECT) != 0) {
      b.reconnect(ReconnectPolicy.never());
    }
    NetworkConfig config;
    try {
      config = b.build();
    } catch (RuntimeException e) {
      return n.failed(Codes.START_INVALID, "bad network options: " + e.getMessage());
    }
    try {
      n.net = LeanNetwork.start(config, n);
    } catch (RuntimeException e) {
      return n.failed(Codes.START_INTERNAL, "start failed: " + e);
    }
    n.network.complete(n.net);
    return n;
  }

  private NativeNetwork failed(int code, String message) {
    startCode = code;
    startMessage = message;
    network.cancel(false);
    return this;
  }

  private static List<String> split(String csv) {
    List<String> out = new ArrayList<>();
    if (csv != null) {
      for (String s : csv.split(",")) {
        if (!s.isBlank()) {
          out.add(s.strip());
        }
      }
    }
    return out;
  }

  public int startCode() {
    return startCode;
  }

  public String startMessage() {
    return startMessage;
  }

  /** Waits for the listeners; a {@code lean_p2p_start_code}, with {@link #startMessage()} on failure. */
  public int awaitReady(long timeoutMillis) {
    try {
      net.awaitReady(Duration.ofMillis(timeoutMillis));
      return Codes.START_OK;
    } catch (StartException e) {
      String m = String.valueOf(e.getMessage());
      String prefix = e.reason() + ": "; // the C side names the code itself
      startMessage = m.startsWith(prefix) ? m.substring(prefix.length()) : m;
      return Codes.startCode(e.reason());
    } catch (TimeoutException e) {
      startMessage = "not ready within " + timeoutMillis + " ms";
      return Codes.START_TIMEOUT;
    }
  }

  /**
   * Closes the network (idempotent; returns when everything is released, after the outcome
   * events of the commands it abandoned, which the host API never sheds).
   */
  public void close() {
    net.close();
  }

  /** Takes (and clears) the reason of this thread's last refused command. */
  public static String takeReason() {
    String r = REASON.get();
    REASON.remove();
    return r == null ? "" : r;
  }

  private int code(Outcome o, int payloadLength) {
    if (o.isAccepted()) {
      return Codes.ACCEPTED;
    }
    int c = Codes.outcome(o.kind());
    if (c == Codes.INVALID && payloadLength > maxPayload) {
      c = Codes.TOO_LARGE;
    }
    if (c != Codes.QUEUE_FULL) {
      REASON.set(o.reason());
    }
    return c;
  }

  private static int refuse(String reason) {
    REASON.set(reason);
    return Codes.INVALID;
  }

  // ------------------------------------------------------------------------- commands

  public int publish(String topic, byte[] ssz) {
    return code(net.publish(topic, ssz), ssz.length);
  }

  public int subscribe(String topic) {
    return code(net.subscribe(topic), 0);
  }

  public int unsubscribe(String topic) {
    return code(net.unsubscribe(topic), 0);
  }

  public int reportValidation(byte[] messageId, int verdict) {
    Validation v = validation(verdict);
    if (v == null) {
      return refuse("verdict must be ACCEPT, REJECT or IGNORE (got " + verdict + ")");
    }
    return code(net.reportValidation(messageId, v), 0);
  }

  /** Returns the request id (> 0) when accepted, else minus the outcome number. */
  public long sendRequest(String peer, int protocol, byte[] ssz, long requestCtx) {
    LeanProtocol p = Codes.protocol(protocol);
    if (p == null) {
      return -refuse("unknown protocol " + protocol + " (0 blocks_by_root, 1 status, 2 blocks_by_range)");
    }
    PeerId id;
    try {
      id = PeerId.fromBase58(peer);
    } catch (DecodeException | RuntimeException e) {
      return -refuse("bad peer id " + peer + ": " + e.getMessage());
    }
    RequestHandle h =
        net.sendRequest(id, p, ssz, event -> onRequestEvent(event, requestCtx), Duration.ZERO);
    return h.isAccepted() ? h.requestId() : -code(h.outcome(), ssz.length);
  }

  public int sendResponseChunk(long channelId, byte[] ssz) {
    return code(net.sendResponseChunk(channelId, ssz), ssz.length);
  }

  public int endResponse(long channelId) {
    return code(net.endResponse(channelId), 0);
  }

  public int sendErrorResponse(long channelId, int code, byte[] messageUtf8) {
    ResponseCode rc =
        switch (code) {
          case 1 -> ResponseCode.INVALID_REQUEST;
          case 2 -> ResponseCode.SERVER_ERROR;
          case 3 -> ResponseCode.RESOURCE_UNAVAILABLE;
          default -> null;
        };
    if (rc == null) {
      return refuse("error code must be 1, 2 or 3 (got " + code + ")");
    }
    String message = messageUtf8 == null ? "" : new String(messageUtf8, StandardCharsets.UTF_8);
    return code(net.sendErrorResponse(channelId, rc, message), 0);
  }

  public int dial(String address, boolean persistent) {
    return code(net.dial(address, persistent), 0);
  }

  public int disconnect(String peer) {
    try {
      return code(net.disconnect(PeerId.fromBase58(peer)), 0);
    } catch (DecodeException | RuntimeException e) {
      return refuse("bad peer id " + peer + ": " + e.getMessage());
    }
  }

  public int ping(String peer) {
    try {
      return code(net.ping(PeerId.fromBase58(peer)), 0);
    } catch (DecodeException | RuntimeException e) {
      return refuse("bad peer id " + peer + ": " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------------- reads

  public String peerId() {
    return net.localPeerId().toBase58();
  }

  /** The bound listen addresses, comma-separated, each ending in /p2p/our-id ("" before ready). */
  public String listenAddresses() {
    if (!net.ready().isDone() || net.ready().isCompletedExceptionally()) {
      return "";
    }
    return net.ready().join().stream().map(Multiaddr::toString).collect(Collectors.joining(","));
  }

  public long meshPeers(String topic) {
    NetworkSnapshot s = net.snapshot();
    if (topic != null) {
      List<PeerId> m = s.meshPeers().get(topic);
      return m == null ? 0 : m.size();
    }
    long total = 0;
    for (List<PeerId> m : s.meshPeers().values()) {
      total += m.size();
    }
    return total;
  }

  public long connectedPeers() {
    return net.snapshot().peers().size();
  }

  /**
   * A metric by name and labels ({@code k=v,k2=v2}, or null for the sum over every label value);
   * 0 when absent.
   */
  public double metric(String name, String labels) {
    if (UNDECODABLE_METRIC.equals(name)) {
      return undecodable.sum();
    }
    if (ATTACHED_METRIC.equals(name)) {
      return threadsNamed(NativeRuntime.HOST_THREAD_PREFIX);
    }
    if (labels == null) {
      return net.metrics().sum(name);
    }
    Map<String, String> l = new HashMap<>();
    for (String kv : split(labels)) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        return 0;
      }
      l.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
    }
    if (THREADS_METRIC.equals(name)) {
      String prefix = l.get("prefix");
      return prefix == null || prefix.isEmpty() ? 0 : threadsNamed(prefix);
    }
    double v = net.metrics().value(name, l);
    return Double.isNaN(v) ? 0 : v;
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }

  // ------------------------------------------------------------------------- events

  private boolean wants(int bit) {
    return (callbacks & bit) != 0;
  }

  private LeanNetwork network() {
    LeanNetwork n = net;
    return n != null ? n : network.join();
  }

  @Override
  public void onEvent(NetworkEvent event) {
    switch (event) {
      case NetworkEvent.GossipMessage g -> onGossip(g);
      case NetworkEvent.InboundRequest r -> {
        if (wants(CB_REQUEST)) {
          NativeCallbacks.inboundRequest(
              handle, r.channelId(), r.peer().toBase58(), Codes.protocolTag(r.protocol()), r.data());
        } else {
          network().sendErrorResponse(r.channelId(), ResponseCode.RESOURCE_UNAVAILABLE, "not served");
        }
      }
      case NetworkEvent.ResponseChunk c -> onRequestEvent(c, 0);
      case NetworkEvent.EndOfStream e -> onRequestEvent(e, 0);
      case NetworkEvent.RequestFailed f -> onRequestEvent(f, 0);
      case NetworkEvent.ResponseChannelClosed c -> {
        if (wants(CB_CHANNEL_CLOSED)) {
          NativeCallbacks.channelClosed(handle, c.channelId(), c.peer().toBase58(), utf8(c.reason()));
        }
      }
      case NetworkEvent.PeerConnected c -> {
        if (wants(CB_CONNECTED)) {
          NativeCallbacks.peerConnected(
              handle, c.peer().toBase58(), str(c.address()), Codes.direction(c.direction()),
              Codes.transport(c.transport()));
        }
      }
      case NetworkEvent.PeerDisconnected d -> {
        if (wants(CB_DISCONNECTED)) {
          NativeCallbacks.peerDisconnected(
              handle, d.peer().toBase58(), str(d.address()), Codes.direction(d.direction()),
              Codes.closeReason(d.reason()), utf8(d.reason() == null ? "" : d.reason().toString()));
        }
      }
      case NetworkEvent.ConnectionFailed f -> {
        if (wants(CB_CONNECTION_FAILED)) {
          NativeCallbacks.connectionFailed(
              handle, f.peer() == null ? null : f.peer().toBase58(), str(f.address()),
              Codes.closeReason(f.reason()), f.attempt(), f.willRetry(),
              utf8(f.reason() == null ? "" : f.reason().toString()));
        }
      }
      case NetworkEvent.DialGaveUp g -> {
        if (wants(CB_DIAL_GAVE_UP)) {
          NativeCallbacks.dialGaveUp(handle, g.peer() == null ? null : g.peer().toBase58(), str(g.address()), g.attempts());
        }
      }
      case NetworkEvent.PeerSubscription s -> {
        if (wants(CB_SUBSCRIPTION)) {
          NativeCallbacks.peerSubscription(handle, s.peer().toBase58(), s.topic(), s.subscribed());
        }
      }
      case NetworkEvent.MeshChange m -> {
        if (wants(CB_MESH)) {
          NativeCallbacks.meshChange(handle, m.peer().toBase58(), m.topic(), m.grafted());
        }
      }
      case NetworkEvent.PublishCompleted p -> {
        if (wants(CB_PUBLISHED)) {
          NativeCallbacks.publishCompleted(handle, p.topic(), p.messageId(), p.recipients().size(), p.duplicate());
        }
      }
      case NetworkEvent.PingResult p -> {
        if (wants(CB_PING)) {
          NativeCallbacks.ping(handle, p.peer().toBase58(), p.ok() ? p.rttNanos() : -1, p.ok() ? null : utf8(p.error()));
        }
      }
      case NetworkEvent.CommandAbandoned a -> onAbandoned(a);
    }
  }

  /**
   * An accepted command the closing network dropped: {@code on_command_abandoned}, or a WARN line
   * (on_log / stderr) when the host set no such callback — never a silent drop.
   */
  private void onAbandoned(NetworkEvent.CommandAbandoned a) {
    int command = Codes.command(a.command());
    String target = str(a.target());
    long channel = 0;
    switch (command) {
      case Codes.CMD_RESPONSE_CHUNK, Codes.CMD_END_OF_STREAM, Codes.CMD_ERROR_RESPONSE -> {
        channel = channelOf(target);
        target = channel > 0 ? "" : target; // an unexpected shape: keep the text for the host
      }
      case Codes.CMD_OTHER -> target = a.command() + " " + target;
      default -> { }
    }
    if (!wants(CB_ABANDONED)) {
      LOG.warn("{}: accepted command {} ({}) abandoned: {}", name, a.command(), a.target(), a.reason());
    } else if (!NativeCallbacks.commandAbandoned(handle, command, target, channel, utf8(a.reason()))) {
      // stopped from its own callback: no callback may run any more; say it in the log instead
      LOG.warn("{}: accepted command {} ({}) abandoned: {} (not delivered: the network was stopped from its"
          + " own callback)", name, a.command(), a.target(), a.reason());
    }
  }

  /** The channel id of a CommandAbandoned target ({@code "channel <id>"}), or 0. */
  static long channelOf(String target) {
    String prefix = "channel ";
    if (target != null && target.startsWith(prefix)) {
      try {
        return Long.parseLong(target.substring(prefix.length()).strip());
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  private void onGossip(NetworkEvent.GossipMessage g) {
    if (g.data() == null) {
      // not valid raw snappy: nothing an SSZ host could read
      undecodable.increment();
      network().reportValidation(g.messageId(), Validation.IGNORE);
      return;
    }
    int verdict = Codes.VALIDATION_ACCEPT; // no callback: accept every message, as the seed did
    if (wants(CB_GOSSIP)) {
      verdict = NativeCallbacks.gossip(handle, g.topic(), g.data(), g.messageId(), g.from().toBase58());
    }
    if (verdict == Codes.VALIDATION_DEFER) {
      return;
    }
    Validation v = validation(verdict);
    network().reportValidation(g.messageId(), v == null ? Validation.IGNORE : v);
  }

  private static Validation validation(int verdict) {
    return switch (verdict) {
      case Codes.VALIDATION_ACCEPT -> Validation.ACCEPT;
      case Codes.VALIDATION_REJECT -> Validation.REJECT;
      case Codes.VALIDATION_IGNORE -> Validation.IGNORE;
      default -> null;
    };
  }

  private void onRequestEvent(NetworkEvent event, long requestCtx) {
    switch (event) {
      case NetworkEvent.ResponseChunk c -> {
        if (wants(CB_RESPONSE)) {
          NativeCallbacks.responseChunk(
              handle, c.requestId(), requestCtx, c.peer().toBase58(), Codes.protocolTag(c.protocol()), c.data());
        }
      }
      case NetworkEvent.EndOfStream e -> {
        if (wants(CB_END_OF_STREAM)) {
          NativeCallbacks.endOfStream(
              handle, e.requestId(), requestCtx, e.peer().toBase58(), Codes.protocolTag(e.protocol()));
        }
      }
      case NetworkEvent.RequestFailed f -> {
        if (wants(CB_RPC_ERROR)) {
          NativeCallbacks.requestFailed(
              handle, f.requestId(), requestCtx, f.peer().toBase58(), Codes.protocolTag(f.protocol()),
              Codes.rpcFailure(f.error().kind()), f.error().rawCode(), utf8(f.error().message()));
        }
      }
      default -> onEvent(event);
    }
  }

  private static String str(Object o) {
    return o == null ? "" : o.toString();
  }

  private static byte[] utf8(String s) {
    return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
  }
}
