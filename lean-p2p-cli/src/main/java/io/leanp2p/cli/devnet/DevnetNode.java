package io.leanp2p.cli.devnet;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.lean.BlocksByRangeRequest;
import io.leanp2p.lean.BlocksByRootRequest;
import io.leanp2p.lean.Checkpoint;
import io.leanp2p.lean.SignedBlockView;
import io.leanp2p.lean.Status;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.NetworkListener;
import io.leanp2p.node.NetworkSnapshot;
import io.leanp2p.node.RequestHandle;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.types.Direction;
import io.leanp2p.util.DecodeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One devnet node: a {@link LeanNetwork}, its block store, and its counters. Its listener (the
 * network's delivery thread) validates gossip (blocks must decode; attestations must be 560
 * bytes), serves status / blocks_by_range / blocks_by_root from the store, and sends a status
 * request on every outbound connection. Counters are atomics: the table thread reads them.
 */
final class DevnetNode implements NetworkListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevnetNode.class);

  final int index;
  final String name;
  final String transport;
  final DevnetTopics topics;
  final BlockStore store = new BlockStore();
  final DevnetMember.Arrivals arrivals;
  final long startedNanos = System.nanoTime();
  final AtomicLong msgsIn = new AtomicLong();
  final AtomicLong msgsOut = new AtomicLong();
  final AtomicLong bytesIn = new AtomicLong();
  final AtomicLong blocksIn = new AtomicLong();
  final AtomicLong attestationsIn = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong requestFailures = new AtomicLong();
  final AtomicLong statusExchanged = new AtomicLong();
  final AtomicLong served = new AtomicLong();
  private final List<Long> requestLatencies = new ArrayList<>();
  private final Set<String> seenAttestations = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<LeanNetwork> net = new CompletableFuture<>();
  private volatile long lastBytesIn;
  private volatile long lastRateNanos = System.nanoTime();

  DevnetNode(int index, String transport, DevnetTopics topics, DevnetMember.Arrivals arrivals) {
    this.index = index;
    this.name = "n" + index;
    this.transport = transport;
    this.topics = topics;
    this.arrivals = arrivals;
  }

  LeanNetwork start(List<String> listen) {
    LeanNetwork n = LeanNetwork.start(NetworkConfig.builder().name(name).listenAddresses(listen).build(), this);
    net.complete(n);
    return n;
  }

  LeanNetwork network() {
    return net.join();
  }

  // ------------------------------------------------------------------ events

  @Override
  public void onEvent(NetworkEvent event) {
    LeanNetwork n = net.join();
    switch (event) {
      case NetworkEvent.GossipMessage m -> onGossip(n, m);
      case NetworkEvent.InboundRequest r -> serve(n, r);
      case NetworkEvent.PeerConnected c -> {
        if (c.direction() == Direction.OUTBOUND) {
          exchangeStatus(c.peer());
        }
      }
      default -> { }
    }
  }

  private void onGossip(LeanNetwork n, NetworkEvent.GossipMessage m) {
    msgsIn.incrementAndGet();
    bytesIn.addAndGet(m.wireData().length);
    long now = System.nanoTime();
    Validation verdict = Validation.ACCEPT;
    try {
      if (m.data() == null) {
        verdict = Validation.REJECT;
      } else if (m.topic().equals(topics.block())) {
        SignedBlockView h = SignedBlockView.parse(m.data());
        if (store.add(h, m.data())) {
          blocksIn.incrementAndGet();
        }
        // an arrival by gossip, also when the late node's sync stored the same block a moment
        // earlier (its status exchange can race the publish of the slot it joins in)
        arrivals.arrived(h.slot(), index, now);
      } else if (m.topic().equals(topics.attestation())) {
        long[] a = SimAttestations.parse(m.data());
        if (seenAttestations.add(a[0] + "/" + a[1])) {
          attestationsIn.incrementAndGet();
          arrivals.attested(a[1], (int) a[0], index);
        }
      }
    } catch (DecodeException e) {
      verdict = Validation.REJECT;
    }
    if (verdict == Validation.REJECT) {
      rejected.incrementAndGet();
    }
    n.reportValidation(m.messageId(), verdict);
  }

  private void serve(LeanNetwork n, NetworkEvent.InboundRequest r) {
    served.incrementAndGet();
    try {
      switch (r.protocol()) {
        case STATUS -> {
          Status.decode(r.data());
          n.sendResponseChunk(r.channelId(), status().encode(), Duration.ofSeconds(1));
        }
        case BLOCKS_BY_RANGE -> {
          // the library has already refused a count outside [1, MAX_REQUEST_BLOCKS]
          BlocksByRangeRequest req = BlocksByRangeRequest.decode(r.data());
          for (BlockStore.Stored s : store.range(req.startSlot(), req.count())) {
            n.sendResponseChunk(r.channelId(), s.ssz(), Duration.ofSeconds(2));
          }
        }
        case BLOCKS_BY_ROOT -> {
          for (byte[] root : BlocksByRootRequest.decode(r.data()).roots()) {
            BlockStore.Stored s = store.byRoot(root);
            if (s != null) {
              n.sendResponseChunk(r.channelId(), s.ssz(), Duration.ofSeconds(2));
            }
          }
        }
      }
      n.endResponse(r.channelId());
    } catch (DecodeException e) {
      n.sendErrorResponse(r.channelId(), ResponseCode.INVALID_REQUEST, e.getMessage());
    }
  }

  /** Our status: genesis as finalized, our highest block as head. */
  Status status() {
    long head = store.headSlot();
    byte[] headRoot = new byte[32];
    if (head >= 0) {
      BlockStore.Stored s = store.range(head, 1).get(0);
      headRoot = s.root();
    }
    return new Status(new Checkpoint(new byte[32], 0), new Checkpoint(headRoot, Math.max(0, head)));
  }

  /** Sends our status to a peer; completes with its status. */
  CompletableFuture<Status> exchangeStatus(PeerId peer) {
    return request(peer, LeanProtocol.STATUS, status().encode()).thenApply(chunks -> {
      if (chunks.size() != 1) {
        throw new IllegalStateException("status: " + chunks.size() + " chunks");
      }
      try {
        Status s = Status.decode(chunks.get(0));
        statusExchanged.incrementAndGet();
        return s;
      } catch (DecodeException e) {
        throw new IllegalStateException("status: " + e.getMessage());
      }
    });
  }

  /** Sends a request; completes with every SUCCESS chunk once the response ends. */
  CompletableFuture<List<byte[]>> request(PeerId peer, LeanProtocol protocol, byte[] ssz) {
    CompletableFuture<List<byte[]>> f = new CompletableFuture<>();
    List<byte[]> chunks = new ArrayList<>();
    long t0 = System.nanoTime();
    requests.incrementAndGet();
    RequestHandle h = network().sendRequest(peer, protocol, ssz, ev -> {
      switch (ev) {
        case NetworkEvent.ResponseChunk c -> chunks.add(c.data());
        case NetworkEvent.EndOfStream e -> {
          recordLatency(System.nanoTime() - t0);
          f.complete(chunks);
        }
        case NetworkEvent.RequestFailed r -> {
          requestFailures.incrementAndGet();
          f.completeExceptionally(new IllegalStateException(protocol + " to " + peer + " failed: " + r.error()));
        }
        default -> { }
      }
    }, Duration.ofSeconds(1));
    if (!h.isAccepted()) {
      requestFailures.incrementAndGet();
      f.completeExceptionally(new IllegalStateException(protocol + " refused: " + h.outcome()));
    }
    return f;
  }

  private synchronized void recordLatency(long nanos) {
    requestLatencies.add(nanos);
  }

  synchronized Percentiles requestLatency() {
    return Percentiles.of(requestLatencies.stream().mapToLong(Long::longValue).toArray());
  }

  /** Publishes and counts. */
  boolean publish(String topic, byte[] ssz) {
    boolean ok = network().publish(topic, ssz, Duration.ofMillis(200)).isAccepted();
    if (ok) {
      msgsOut.incrementAndGet();
    }
    return ok;
  }

  /** The table row (and resets the MB/s interval). */
  NodeRow row() {
    LeanNetwork n = network();
    NetworkSnapshot s = n.snapshot();
    // the metrics carry the router's current mesh; the snapshot may be older
    double meshMetric = n.metrics().value("leanp2p_mesh_peers", java.util.Map.of("topic", topics.block()));
    int mesh = Double.isNaN(meshMetric) ? s.meshPeers().getOrDefault(topics.block(), List.of()).size() : (int) meshMetric;
    long now = System.nanoTime();
    long bytes = bytesIn.get();
    double secs = Math.max(1e-3, (now - lastRateNanos) / 1e9);
    double mbps = (bytes - lastBytesIn) / secs / 1e6;
    lastBytesIn = bytes;
    lastRateNanos = now;
    MetricsNumbers m = MetricsNumbers.of(n.metrics());
    return new NodeRow(name, transport, s.peers().size(), mesh, msgsIn.get(), msgsOut.get(), mbps,
        blocksIn.get(), attestationsIn.get(), requests.get(), requestLatency().p50(), m.queueDepth(), m.drops());
  }

  @Override
  public void close() {
    if (net.isDone()) {
      try {
        net.join().close();
      } catch (RuntimeException e) {
        LOG.warn("{}: close failed", name, e);
      }
    }
  }
}
