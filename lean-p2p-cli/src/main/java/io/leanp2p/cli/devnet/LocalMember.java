package io.leanp2p.cli.devnet;

import io.leanp2p.cli.UsageException;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.lean.BlocksByRangeRequest;
import io.leanp2p.lean.BlocksByRootRequest;
import io.leanp2p.lean.SignedBlockView;
import io.leanp2p.lean.SignedBlocks;
import io.leanp2p.lean.Status;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.NetworkSnapshot;
import io.leanp2p.node.StartException;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.util.DecodeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A devnet node in this JVM: a thin adapter from {@link DevnetMember} to a {@link DevnetNode}. */
final class LocalMember implements DevnetMember {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalMember.class);
  private static final Duration READY = Duration.ofSeconds(30);

  private final DevnetNode node;
  private final int blockSize;

  LocalMember(int index, String transport, DevnetTopics topics, int blockSize, Arrivals arrivals) {
    this.node = new DevnetNode(index, transport, topics, arrivals);
    this.blockSize = blockSize;
  }

  @Override
  public int index() {
    return node.index;
  }

  @Override
  public String transport() {
    return node.transport;
  }

  /** The node's metrics (for the Prometheus endpoint). */
  MetricsSnapshot metrics() {
    return node.network().metrics();
  }

  @Override
  public Started start(List<String> listen) {
    long t0 = System.nanoTime();
    node.start(listen);
    List<Multiaddr> addrs;
    try {
      addrs = node.network().awaitReady(READY);
    } catch (StartException e) {
      throw new UsageException("devnet: a node could not start: " + e.getMessage());
    } catch (TimeoutException e) {
      throw new DevnetFailure(node.name + " did not listen within " + READY.toSeconds() + " s");
    }
    for (String t : List.of(node.topics.block(), node.topics.attestation(), node.topics.aggregation())) {
      node.network().subscribe(t);
    }
    LOG.info("{}: listening after {} ms", node.name, (System.nanoTime() - t0) / 1_000_000);
    return new Started(node.network().localPeerId().toBase58(), addrs.stream().map(Multiaddr::toString).toList());
  }

  @Override
  public void dial(String multiaddr) {
    node.network().dial(multiaddr);
  }

  @Override
  public Proposal propose(long slot, byte[] parentRoot, long seed) {
    Random random = new Random(seed);
    byte[] state = new byte[32];
    byte[] proof = new byte[blockSize];
    random.nextBytes(state);
    random.nextBytes(proof);
    byte[] block = SignedBlocks.build(slot, node.index, parentRoot, state, proof);
    SignedBlockView h;
    try {
      h = SignedBlockView.parse(block);
    } catch (DecodeException e) {
      throw new IllegalStateException(e);
    }
    node.store.add(h, block);
    long now = System.nanoTime();
    boolean ok = node.publish(node.topics.block(), block);
    return new Proposal(h.blockRoot(), now, ok);
  }

  @Override
  public boolean attest(long slot, long seed) {
    return node.publish(node.topics.attestation(), SimAttestations.build(node.index, slot, new Random(seed)));
  }

  @Override
  public MeshCounts mesh() {
    NetworkSnapshot s = node.network().snapshot();
    List<PeerId> blockPeers = s.topicPeers().getOrDefault(node.topics.block(), List.of());
    List<PeerId> attestationPeers = s.topicPeers().getOrDefault(node.topics.attestation(), List.of());
    return new MeshCounts(s.meshPeers().getOrDefault(node.topics.block(), List.of()).size(), blockPeers.size(),
        s.peers().stream().map(pi -> pi.peer().toBase58()).toList(),
        blockPeers.stream().filter(attestationPeers::contains).map(PeerId::toBase58).toList());
  }

  @Override
  public NodeRow row() {
    return node.row();
  }

  @Override
  public Counters counters() {
    return new Counters(node.attestationsIn.get(), node.requests.get(), node.requestFailures.get(),
        MetricsNumbers.of(node.network().metrics()).drops());
  }

  @Override
  public CompletableFuture<SyncResult> sync(String peerId, Map<Long, byte[]> expected) {
    CompletableFuture<SyncResult> f = new CompletableFuture<>();
    Thread t = new Thread(() -> f.complete(syncNow(peerId, expected)), "devnet-sync-" + node.name);
    t.setDaemon(true);
    t.start();
    return f;
  }

  /** Status from a peer → blocks_by_root for its head → blocks_by_range for the rest → link check. */
  private SyncResult syncNow(String peerIdText, Map<Long, byte[]> expected) {
    DevnetNode n = node;
    List<String> problems = new ArrayList<>();
    int synced = 0;
    try {
      PeerId peer = PeerId.fromBase58(peerIdText);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!n.network().snapshot().isConnected(peer)) {
        if (System.nanoTime() > deadline) {
          problems.add("the late node could not connect to n0");
          return new SyncResult(0, -1, problems);
        }
        Thread.sleep(20);
      }
      LOG.info("{}: connected to the sync peer {} ms after start", n.name, (System.nanoTime() - n.startedNanos) / 1_000_000);
      Status st = n.exchangeStatus(peer).get(10, TimeUnit.SECONDS);
      if (st.head().slot() == 0) {
        problems.add("n0 reported no head");
        return new SyncResult(0, -1, problems);
      }
      List<byte[]> head = n.request(peer, LeanProtocol.BLOCKS_BY_ROOT, new BlocksByRootRequest(List.of(st.head().root())).encode())
          .get(10, TimeUnit.SECONDS);
      if (head.size() != 1) {
        problems.add("blocks_by_root for the head returned " + head.size() + " blocks");
        return new SyncResult(0, -1, problems);
      }
      SignedBlockView headBlock = SignedBlockView.parse(head.get(0));
      if (!Arrays.equals(headBlock.blockRoot(), st.head().root())) {
        problems.add("blocks_by_root returned a block whose root is not the requested one");
        return new SyncResult(0, -1, problems);
      }
      long count = Math.min(BlocksByRangeRequest.MAX_COUNT, st.head().slot() - 1);
      List<byte[]> range = count == 0 ? List.of()
          : n.request(peer, LeanProtocol.BLOCKS_BY_RANGE, new BlocksByRangeRequest(1, count).encode()).get(20, TimeUnit.SECONDS);
      RangeVerifier.Result r = RangeVerifier.verify(1, Math.max(1, count), range, n.store);
      problems.addAll(r.problems());
      List<SignedBlockView> chain = new ArrayList<>(r.blocks());
      chain.add(headBlock);
      problems.addAll(RangeVerifier.verifyChain(chain));
      for (int i = 0; i < range.size(); i++) {
        n.store.add(SignedBlockView.parse(range.get(i)), range.get(i));
      }
      n.store.add(headBlock, head.get(0));
      synced = chain.size();
      LOG.info("{}: synced {} blocks {} ms after start", n.name, synced, (System.nanoTime() - n.startedNanos) / 1_000_000);
      // the sync must have brought every block published before the late node joined
      for (Map.Entry<Long, byte[]> e : new java.util.TreeMap<>(expected).entrySet()) {
        if (!n.store.hasRoot(e.getValue())) {
          problems.add("after the sync the late node still lacks the block of slot " + e.getKey());
        }
      }
      return new SyncResult(synced, problems.isEmpty() ? System.nanoTime() - n.startedNanos : -1, problems);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      problems.add("sync failed: " + (t instanceof TimeoutException ? "timed out" : String.valueOf(t.getMessage())));
      return new SyncResult(synced, -1, problems);
    }
  }

  @Override
  public void close() {
    node.close();
  }
}
