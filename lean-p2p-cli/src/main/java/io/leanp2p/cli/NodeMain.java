package io.leanp2p.cli;

import io.leanp2p.cli.metrics.MetricsServer;
import io.leanp2p.cli.metrics.PrometheusAdapter;
import io.leanp2p.codec.sszsnappy.ResponseCode;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.lean.GossipTopic;
import io.leanp2p.lean.Status;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.NetworkListener;
import io.leanp2p.node.NetworkSnapshot;
import io.leanp2p.node.StartException;
import io.leanp2p.node.Validation;
import io.leanp2p.protocol.reqresp.LeanProtocol;
import io.leanp2p.util.DecodeException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

  /** Expands bootnode entries: multiaddrs / ENRs as given; an existing file → one entry per line (# comments). */
  static List<String> expandBootnodes(List<String> entries) {
    List<String> out = new ArrayList<>();
    for (String e : entries) {
      String t = e.strip();
      if (t.isEmpty()) {
        continue;
      }
      if (!t.startsWith("/") && !t.startsWith("enr:")) {
        Path f = Path.of(t.startsWith("@") ? t.substring(1) : t);
        if (!Files.isRegularFile(f)) {
          throw new UsageException("--bootnodes: '" + t + "' is neither a multiaddr, an ENR nor a file");
        }
        try {
          for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
              out.addAll(expandBootnodes(List.of(l.split(","))));
            }
          }
        } catch (IOException ex) {
          throw new UsageException("--bootnodes: cannot read " + f + ": " + ex.getMessage());
        }
        continue;
      }
      try {
        LeanNetwork.parseDialable(t);
      } catch (DecodeException | RuntimeException ex) {
        throw new UsageException("--bootnodes: bad " + (t.startsWith("enr:") ? "ENR" : "multiaddr") + " '" + abbreviate(t)
            + "': " + ex.getMessage());
      }
      out.add(t);
    }
    return out;
  }

  static List<String> checkListen(List<String> listen) {
    for (String l : listen) {
      try {
        Multiaddr m = Multiaddr.parse(l.strip());
        if (!m.isTcp() && !m.isQuic()) {
          throw new UsageException("--listen: '" + l + "' is neither /tcp/ nor /udp/.../quic-v1");
        }
      } catch (DecodeException e) {
        throw new UsageException("--listen: bad multiaddr '" + l + "': " + e.getMessage());
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

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  private int run() throws Exception {
    List<String> listen = checkListen(c.listen);
    List<String> bootnodes = expandBootnodes(c.bootnodes);
    if (c.metricsPort != null && (c.metricsPort < 1 || c.metricsPort > 65535)) {
      throw new UsageException("--metrics-port must be in [1, 65535]");
    }
    Secp256k1PrivateKey key = KeyFiles.loadOrCreate(c.keyFile, new SecureRandom());
    List<String> topics = topicStrings(c.forkDigest, c.topics);
    LeanNetwork n = LeanNetwork.start(
        NetworkConfig.builder().name("node").identity(key).listenAddresses(listen).bootnodes(bootnodes).build(), this);
    net = n;
    List<Multiaddr> addrs;
    try {
      addrs = n.awaitReady(Duration.ofSeconds(30));
    } catch (StartException e) {
      n.close();
      throw new UsageException("node: cannot start: " + e.getMessage());
    } catch (TimeoutException e) {
      n.close();
      throw new UsageException("node: not ready within 30 s");
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
        metrics = MetricsServer.start("0.0.0.0", c.metricsPort,
            () -> List.of(new PrometheusAdapter.Source(Map.of(), n::metrics)));
      }
      out.println("lean-p2p node " + n.localPeerId() + " listening on:");
      for (Multiaddr a : addrs) {
        out.println("  " + a);
      }
      out.println("topics: " + String.join(", ", topics) + (c.forward ? " (forwarding)" : " (observing: gossip is not forwarded)"));
      out.println(bootnodes.isEmpty() ? "no bootnodes: waiting for inbound peers" : "dialing " + bootnodes.size() + " bootnode(s)");
      if (metrics != null) {
        out.println("Prometheus metrics: http://0.0.0.0:" + metrics.port() + "/metrics");
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
