package io.leanp2p.examples;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.metrics.prometheus.LeanP2pCollector;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.NetworkListener;
import io.leanp2p.node.Outcome;
import io.leanp2p.node.RequestHandle;
import io.leanp2p.node.StartException;
import io.leanp2p.types.Validation;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.lean.BlocksByRangeRequest;
import io.leanp2p.lean.Checkpoint;
import io.leanp2p.lean.SignedBlockView;
import io.leanp2p.lean.SignedBlocks;
import io.leanp2p.lean.Status;
import io.leanp2p.util.DecodeException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal lean-consensus host on lean-p2p, written against the library's public API only: it
 * keeps a chain of {@code SignedBlock}s by slot, gossips blocks on the lean block topic (validating
 * what it receives before it is forwarded), answers {@code status} and {@code blocks_by_range}, and
 * syncs a range of blocks from a peer. {@link TwoNodeExample} runs two of them.
 *
 * <p>Events come on the network's delivery thread (never its event loop); requests from host
 * threads go in as commands and each returns an {@link Outcome}.
 */
public final class MinimalHost implements NetworkListener, AutoCloseable {
  /** The lean block topic of the leanSpec network name {@code 12345678}. */
  public static final String BLOCK_TOPIC = "/leanconsensus/12345678/block/ssz_snappy";

  private final NavigableMap<Long, byte[]> chain = new ConcurrentSkipListMap<>(); // slot -> SignedBlock SSZ
  private final Map<Long, Response> responses = new ConcurrentHashMap<>(); // request id -> its chunks
  private final BlockingQueue<SignedBlockView> gossipBlocks = new ArrayBlockingQueue<>(64);
  private final AtomicLong gossipBlocksDropped = new AtomicLong();
  private final CountDownLatch meshFormed = new CountDownLatch(1);
  private final LeanNetwork net;
  private final List<Multiaddr> listening;

  // tag::embed[]
  /** Starts a network on a free QUIC port of 127.0.0.1, dials {@code bootnodes}, subscribes to blocks. */
  public MinimalHost(String name, List<String> bootnodes, Duration timeout) throws StartException, TimeoutException {
    net = LeanNetwork.start(
        NetworkConfig.builder()
            .name(name)
            .listen("/ip4/127.0.0.1/udp/0/quic-v1") // QUIC v1 + libp2p TLS, as lean devnets
            .bootnodes(bootnodes) // multiaddrs with /p2p/, or ENRs (a lean-quickstart nodes.yaml)
            .build(),
        this); // events arrive on the network's delivery thread, one at a time
    try {
      listening = net.awaitReady(timeout); // commands before this are refused with NOT_STARTED
    } catch (StartException | TimeoutException e) {
      net.close(); // e.g. the port is taken: release everything
      throw e;
    }
    Outcome o = net.subscribe(BLOCK_TOPIC);
    if (!o.isAccepted()) {
      throw new IllegalStateException("subscribe refused: " + o);
    }
  }

  @Override
  public void onEvent(NetworkEvent event) {
    switch (event) {
      case NetworkEvent.GossipMessage m -> // gossip is forwarded only after ACCEPT
          net.reportValidation(m.messageId(), storeGossipBlock(m.data()) ? Validation.ACCEPT : Validation.REJECT);
      case NetworkEvent.InboundRequest r when r.protocol() == LeanProtocol.STATUS -> {
        net.sendResponseChunk(r.channelId(), status().encode());
        net.endResponse(r.channelId());
      }
      case NetworkEvent.InboundRequest r when r.protocol() == LeanProtocol.BLOCKS_BY_RANGE -> serveRange(r);
      case NetworkEvent.InboundRequest r ->
          net.sendErrorResponse(r.channelId(), ResponseCode.RESOURCE_UNAVAILABLE, "not served by this host");
      case NetworkEvent.ResponseChunk c -> response(c.requestId()).chunks.add(c.data());
      case NetworkEvent.EndOfStream e -> response(e.requestId()).done.complete(null);
      case NetworkEvent.RequestFailed f ->
          response(f.requestId()).done.completeExceptionally(new IllegalStateException(f.error().toString()));
      case NetworkEvent.MeshChange g when g.grafted() && g.topic().equals(BLOCK_TOPIC) -> meshFormed.countDown();
      default -> { } // peers, subscriptions, pings ...
    }
  }

  /** Sends a request and waits for its chunks (exactly one terminal event ends every request). */
  public List<byte[]> request(PeerId peer, LeanProtocol protocol, byte[] ssz, Duration timeout) throws Exception {
    RequestHandle h = net.sendRequest(peer, protocol, ssz);
    if (!h.isAccepted()) {
      throw new IllegalStateException(protocol + " refused: " + h.outcome());
    }
    Response r = response(h.requestId());
    try {
      r.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return List.copyOf(r.chunks);
    } catch (ExecutionException e) {
      throw new IllegalStateException(protocol + " failed: " + e.getCause().getMessage(), e.getCause());
    } finally {
      responses.remove(h.requestId());
    }
  }
  // end::embed[]

  /** A dialable address (with /p2p/) of this host. */
  public String address() {
    return listening.get(0).withP2p(net.localPeerId().toBytes()).toString();
  }

  public PeerId peerId() {
    return net.localPeerId();
  }

  /** Registers this host's network metrics (leanMetrics and lean-p2p's own) with a Prometheus registry. */
  public void registerMetrics(PrometheusRegistry registry) {
    registry.register(LeanP2pCollector.of(net::metrics));
  }

  /** Waits until a peer joined this host's mesh of the block topic. */
  public boolean awaitMesh(Duration timeout) throws InterruptedException {
    return meshFormed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Builds the block of {@code slot} on top of the current head, stores it, and optionally publishes it. */
  public byte[] propose(long slot, boolean publish) {
    byte[] parent = headRoot();
    byte[] stateRoot = new byte[32];
    stateRoot[0] = (byte) slot;
    byte[] block = SignedBlocks.build(slot, slot % 4, parent, stateRoot, new byte[64]);
    chain.put(slot, block);
    if (publish) {
      Outcome o = net.publish(BLOCK_TOPIC, block);
      if (!o.isAccepted()) {
        throw new IllegalStateException("publish refused: " + o);
      }
    }
    return block;
  }

  /** The next block received by gossip, or null after {@code timeout}. */
  public SignedBlockView awaitGossipBlock(Duration timeout) throws InterruptedException {
    return gossipBlocks.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Asks {@code peer} for its status. */
  public Status requestStatus(PeerId peer, Duration timeout) throws Exception {
    List<byte[]> chunks = request(peer, LeanProtocol.STATUS, status().encode(), timeout);
    if (chunks.size() != 1) {
      throw new IllegalStateException("status: expected one chunk, got " + chunks.size());
    }
    return Status.decode(chunks.get(0));
  }

  /**
   * Syncs slots {@code [start, start + count)} from {@code peer} with blocks_by_range, checks that
   * every block's parent root is the previous block's root, and stores them.
   *
   * @return the slots received, in order
   */
  public List<Long> syncRange(PeerId peer, long start, long count, Duration timeout) throws Exception {
    List<byte[]> chunks =
        request(peer, LeanProtocol.BLOCKS_BY_RANGE, new BlocksByRangeRequest(start, count).encode(), timeout);
    List<Long> slots = new ArrayList<>();
    byte[] previousRoot = null;
    for (byte[] chunk : chunks) {
      SignedBlockView b = SignedBlockView.parse(chunk);
      if (previousRoot != null && !Arrays.equals(previousRoot, b.parentRoot())) {
        throw new IllegalStateException("blocks_by_range: slot " + b.slot() + " does not extend the previous block");
      }
      previousRoot = b.blockRoot();
      chain.put(b.slot(), chunk);
      slots.add(b.slot());
    }
    return slots;
  }

  /** The slots this host holds. */
  public List<Long> slots() {
    return List.copyOf(chain.keySet());
  }

  /** How many gossip blocks arrived while the host's queue was full (none in the example). */
  public long gossipBlocksDropped() {
    return gossipBlocksDropped.get();
  }

  @Override
  public void close() {
    net.close();
  }

  // ------------------------------------------------------------------ the host's side

  private Status status() {
    Map.Entry<Long, byte[]> head = chain.lastEntry();
    Checkpoint genesis = new Checkpoint(new byte[32], 0);
    return new Status(genesis, head == null ? genesis : new Checkpoint(headRoot(), head.getKey()));
  }

  private byte[] headRoot() {
    Map.Entry<Long, byte[]> head = chain.lastEntry();
    if (head == null) {
      return new byte[32];
    }
    try {
      return SignedBlockView.parse(head.getValue()).blockRoot();
    } catch (DecodeException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean storeGossipBlock(byte[] ssz) {
    if (ssz == null) {
      return false; // not valid snappy
    }
    try {
      SignedBlockView b = SignedBlockView.parse(ssz);
      chain.put(b.slot(), ssz);
      if (!gossipBlocks.offer(b)) {
        gossipBlocksDropped.incrementAndGet();
      }
      return true;
    } catch (DecodeException e) {
      return false;
    }
  }

  private void serveRange(NetworkEvent.InboundRequest r) {
    BlocksByRangeRequest req;
    try {
      req = BlocksByRangeRequest.decode(r.data());
    } catch (DecodeException e) {
      net.sendErrorResponse(r.channelId(), ResponseCode.INVALID_REQUEST, e.getMessage());
      return;
    }
    long end = req.startSlot() + req.count();
    for (byte[] block : chain.subMap(req.startSlot(), true, end, false).values()) {
      net.sendResponseChunk(r.channelId(), block);
    }
    net.endResponse(r.channelId());
  }

  private Response response(long requestId) {
    return responses.computeIfAbsent(requestId, id -> new Response());
  }

  /** The chunks of one of our requests; completed by its terminal event. */
  private static final class Response {
    final List<byte[]> chunks = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<Void> done = new CompletableFuture<>();
  }
}
