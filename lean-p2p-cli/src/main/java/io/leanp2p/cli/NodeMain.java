package io.leanp2p.cli;

import io.leanp2p.cli.metrics.MetricsServer;
import io.leanp2p.metrics.prometheus.LeanP2pCollector;
import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.lean.GossipTopic;
import io.leanp2p.lean.Status;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.NetworkListener;
import io.leanp2p.node.NetworkSnapshot;
import io.leanp2p.node.PeerPolicyConfig;
import io.leanp2p.node.StartException;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.util.DecodeException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** Runs {@code lean-p2p node}: one network joined to real peers, printing peers and traffic. */
final class NodeMain implements NetworkListener {
  private final NodeCommand c;
  private final PrintStream out = System.out;
  private final Map<String, AtomicLong> msgsByTopic = new ConcurrentHashMap<>();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong requestsServed = new AtomicLong();
  private volatile LeanNetwork net;

  private NodeMain(NodeCommand c) {
    this.c = c;
  }

  static int run(NodeCommand c) throws Exception {
    return new NodeMain(c).run();
  }

  /** Expands bootnode entries (see {@link Bootnodes#expand}). */
  static List<String> expandBootnodes(List<String> entries) {
    return Bootnodes.expand(entries);
  }

  static List<String> checkListen(List<String> listen) {
    for (String l : listen) {
      try {
        Multiaddr m = Multiaddr.parse(l.strip());
        if (!m.isTcp() && !m.isQuic()) {
          throw new UsageException("--listen: '" + l + "' is neither /tcp/PORT nor /udp/PORT/quic-v1");
        }
      } catch (DecodeException e) {
        throw new UsageException("--listen: bad multiaddr '" + l + "': " + e.getMessage()
            + " (expected e.g. /ip4/0.0.0.0/udp/9000/quic-v1)");
      }
    }
    return listen.stream().map(String::strip).toList();
  }

  /** The lean topic strings for {@code --fork-digest} and the {@code --topics} names. */
  static List<String> topicStrings(String forkDigest, List<String> names) throws UsageException {
    List<String> out = new ArrayList<>();
    for (String name : names) {
      try {
        out.add(GossipTopic.of(forkDigest, name.strip()).format());
      } catch (DecodeException e) {
        throw new UsageException("--topics/--fork-digest: " + e.getMessage()
            + " (topic names: block, aggregation, attestation, attestation_<subnet>)");
      }
    }
    return out;
  }

  /** The listen addresses: {@code --listen-port} (QUIC on every interface) or {@code --listen}. */
  private List<String> listenAddresses() {
    if (c.listenPort == null) {
      return checkListen(c.listen);
    }
    if (c.listenGiven()) {
      throw new UsageException("give either --listen-port or --listen, not both");
    }
    if (c.listenPort < 0 || c.listenPort > 65535) {
      throw new UsageException("--listen-port must be in [0, 65535], got " + c.listenPort);
    }
    return List.of("/ip4/0.0.0.0/udp/" + c.listenPort + "/quic-v1");
  }

  /** The identity: --node-key (must exist), else --key-file, else DATA_DIR/lean-p2p.key, else ./lean-p2p.key. */
  private Secp256k1PrivateKey identity() {
    if (c.nodeKey != null && c.keyFile != null) {
      throw new UsageException("give either --node-key or --key-file, not both");
    }
    if (c.nodeKey != null) {
      if (!Files.exists(c.nodeKey)) {
        throw new UsageException("--node-key " + c.nodeKey + " does not exist (lean-quickstart writes NAME.key with "
            + "the genesis; use --key-file to have a new key created)");
      }
      return KeyFiles.load(c.nodeKey, "--node-key");
    }
    Path file = c.keyFile != null ? c.keyFile
        : c.dataDir != null ? c.dataDir.resolve("lean-p2p.key") : Path.of("lean-p2p.key");
    return KeyFiles.loadOrCreate(file, new SecureRandom());
  }

  private void createDataDir() {
    if (c.dataDir == null) {
      return;
    }
    try {
      Files.createDirectories(c.dataDir);
    } catch (IOException e) {
      throw new UsageException("--data-dir " + c.dataDir + ": cannot create it: " + e.getMessage());
    }
  }

  /** The peer-manager policy from --inbound-share, --silent-grace and --graylist-backoff. */
  static PeerPolicyConfig peerPolicy(NodeCommand c) {
    if (!(c.inboundShare > 0 && c.inboundShare <= 1)) {
      throw new UsageException("--inbound-share must be in (0, 1], got " + c.inboundShare);
    }
    if (c.silentGraceSeconds < 0 || c.graylistBackoffSeconds < 0) {
      throw new UsageException("--silent-grace and --graylist-backoff must be >= 0 seconds");
    }
    return PeerPolicyConfig.defaults()
        .withInboundShare(c.inboundShare)
        .withSilentGrace(Duration.ofSeconds(c.silentGraceSeconds))
        .withGraylistBackoff(Duration.ofSeconds(c.graylistBackoffSeconds));
  }

  private int run() throws Exception {
    List<String> listen = listenAddresses();
    List<String> given = expandBootnodes(c.bootnodes);
    if (c.metricsPort != null && (c.metricsPort < 0 || c.metricsPort > 65535)) {
      throw new UsageException("--metrics-port must be in [0, 65535] (0 picks a free port), got " + c.metricsPort);
    }
    if (c.printInterval < 1) {
      throw new UsageException("--print-interval must be at least 1 second");
    }
    if (c.maxPeers < 1) {
      throw new UsageException("--max-peers must be at least 1, got " + c.maxPeers);
    }
    PeerPolicyConfig policy = peerPolicy(c);
    createDataDir();
    Secp256k1PrivateKey key = identity();
    PeerId self = PeerId.fromPublicKey(key.publicKey());
    List<String> bootnodes = Bootnodes.withoutSelf(given, self);
    String name = c.nodeId != null && !c.nodeId.isBlank() ? c.nodeId.strip() : "unknown";
    List<String> topics = topicStrings(c.forkDigest, c.topics);
    LeanNetwork n = LeanNetwork.start(
        NetworkConfig.builder().name(name).identity(key).listenAddresses(listen).bootnodes(bootnodes)
            .maxPeers(c.maxPeers).peerPolicy(policy).build(), this);
    net = n;
    List<Multiaddr> addrs;
    try {
      addrs = n.awaitReady(Duration.ofSeconds(30));
    } catch (StartException e) {
      n.close();
      throw new UsageException("node: cannot start: " + e.getMessage()
          + " (is another process listening there? pick another --listen-port / --listen)");
    } catch (TimeoutException e) {
      n.close();
      throw new UsageException("node: not ready within 30 s (the machine may be overloaded; try again)");
    }
    MetricsServer metrics = null;
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Signals.onTerminate(() -> {
      stop.countDown();
      try {
        closed.await(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, 0);
    try {
      if (c.metricsPort != null) {
        metrics = MetricsServer.start(c.metricsAddress, c.metricsPort,
            () -> List.of(new LeanP2pCollector.Source(Map.of(), n::metrics)));
      }
      out.println("lean-p2p node " + name + " (" + n.localPeerId() + ") listening on:");
      for (Multiaddr a : addrs) {
        out.println("  " + a);
      }
      out.println("topics: " + String.join(", ", topics) + (c.forward ? " (forwarding)" : " (observing: gossip is not forwarded)"));
      if (bootnodes.size() < given.size()) {
        out.println("skipping " + (given.size() - bootnodes.size()) + " bootnode entry(ies) naming this node");
      }
      out.println(bootnodes.isEmpty() ? "no bootnodes: waiting for inbound peers" : "dialing " + bootnodes.size() + " bootnode(s)");
      out.println("peers: at most " + c.maxPeers + " (" + policy.maxInbound(c.maxPeers) + " inbound), silent grace "
          + policy.silentGrace().toSeconds() + " s, graylist backoff " + policy.graylistBackoff().toSeconds() + " s");
      if (metrics != null) {
        out.println("Prometheus metrics: http://" + c.metricsAddress + ":" + metrics.port() + "/metrics");
      }
      List<String> unused = c.unusedGiven();
      if (!unused.isEmpty()) {
        out.println("not used by this node (accepted for lean-quickstart): " + String.join(", ", unused));
      }
      out.println("Ctrl-C stops.");
      for (String t : topics) {
        n.subscribe(t);
      }
      long last = bytesIn.get();
      while (!stop.await(c.printInterval, TimeUnit.SECONDS)) {
        long b = bytesIn.get();
        NetworkSnapshot s = n.snapshot();
        StringBuilder sb = new StringBuilder();
        sb.append(LocalTime.now().truncatedTo(ChronoUnit.SECONDS)).append(" peers ").append(s.peers().size());
        for (String t : topics) {
          sb.append(String.format(Locale.ROOT, " | %s: mesh %d, msgs %d", shortTopic(t),
              s.meshPeers().getOrDefault(t, List.of()).size(), msgsByTopic.getOrDefault(t, new AtomicLong()).get()));
        }
        sb.append(String.format(Locale.ROOT, " | in %.3f MB/s | req served %d", (b - last) / 1e6 / c.printInterval,
            requestsServed.get()));
        last = b;
        out.println(sb);
      }
      out.println("stopping ...");
    } finally {
      n.close();
      if (metrics != null) {
        metrics.close();
      }
      closed.countDown();
    }
    return 0;
  }

  private static String shortTopic(String t) {
    String[] p = t.split("/");
    return p.length >= 4 ? p[3] : t;
  }

  @Override
  public void onEvent(NetworkEvent event) {
    LeanNetwork n = net;
    if (n == null) {
      return;
    }
    switch (event) {
      case NetworkEvent.GossipMessage m -> {
        msgsByTopic.computeIfAbsent(m.topic(), k -> new AtomicLong()).incrementAndGet();
        bytesIn.addAndGet(m.wireData().length);
        n.reportValidation(m.messageId(), c.forward && m.data() != null ? Validation.ACCEPT : Validation.IGNORE);
      }
      case NetworkEvent.InboundRequest r -> {
        requestsServed.incrementAndGet();
        if (r.protocol() == LeanProtocol.STATUS) {
          n.sendResponseChunk(r.channelId(), new byte[Status.SIZE]); // an all-zero Status: this node keeps no chain
          n.endResponse(r.channelId());
        } else {
          n.sendErrorResponse(r.channelId(), ResponseCode.RESOURCE_UNAVAILABLE, "this node keeps no blocks");
        }
      }
      case NetworkEvent.PeerConnected p ->
          out.println("+ peer " + p.peer() + " " + p.address() + " (" + p.direction().toString().toLowerCase(Locale.ROOT) + ")");
      case NetworkEvent.PeerDisconnected p -> out.println("- peer " + p.peer() + " (" + p.reason() + ")");
      case NetworkEvent.ConnectionFailed f ->
          out.println("! dial " + f.address() + " failed: " + f.reason() + (f.willRetry() ? " (will retry)" : ""));
      default -> { }
    }
  }
}
