package io.leanp2p.cli.devnet;

import io.leanp2p.util.DecodeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A devnet node in a child JVM: every call is a command to its {@link WorkerProcess}. */
final class RemoteMember implements DevnetMember {
  private static final Duration CALL = Duration.ofSeconds(10);
  private static final Duration START = Duration.ofSeconds(30);

  private final WorkerProcess worker;
  private final int index;
  private final String transport;

  RemoteMember(WorkerProcess worker, int index, String transport) {
    this.worker = worker;
    this.index = index;
    this.transport = transport;
  }

  WorkerProcess worker() {
    return worker;
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public String transport() {
    return transport;
  }

  @Override
  public Started start(List<String> listen) {
    return decode(worker.call(WorkerProtocol.start(index, transport, listen), START), WorkerProtocol::started);
  }

  @Override
  public void dial(String multiaddr) {
    worker.call(WorkerProtocol.dial(index, multiaddr), CALL);
  }

  @Override
  public Proposal propose(long slot, byte[] parentRoot, long seed) {
    return decode(worker.call(WorkerProtocol.propose(index, slot, parentRoot, seed), CALL), WorkerProtocol::proposal);
  }

  @Override
  public boolean attest(long slot, long seed) {
    return decode(worker.call(WorkerProtocol.attest(index, slot, seed), CALL), m -> WorkerProtocol.bool(m, "accepted"));
  }

  @Override
  public MeshCounts mesh() {
    return decode(worker.call(WorkerProtocol.command("mesh", index), CALL), WorkerProtocol::mesh);
  }

  @Override
  public NodeRow row() {
    return decode(worker.call(WorkerProtocol.command("row", index), CALL), WorkerProtocol::row);
  }

  @Override
  public Counters counters() {
    return decode(worker.call(WorkerProtocol.command("counters", index), CALL), WorkerProtocol::counters);
  }

  @Override
  public CompletableFuture<SyncResult> sync(String peerId, Map<Long, byte[]> expected) {
    return worker.callAsync(WorkerProtocol.sync(index, peerId, expected))
        .thenApply(m -> decode(m, WorkerProtocol::syncResult));
  }

  /** Nothing to do: the node closes with its process ({@link WorkerProcess#stop}). */
  @Override
  public void close() {}

  private interface Decoder<T> {
    T decode(Map<String, Object> m) throws DecodeException;
  }

  private <T> T decode(Map<String, Object> reply, Decoder<T> d) {
    try {
      return d.decode(reply);
    } catch (DecodeException e) {
      throw new DevnetFailure(worker.describe() + " sent a bad reply for n" + index + ": " + e.getMessage());
    }
  }
}
