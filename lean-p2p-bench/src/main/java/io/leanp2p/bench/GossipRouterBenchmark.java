package io.leanp2p.bench;

import io.leanp2p.codec.gossip.ControlGraft;
import io.leanp2p.codec.gossip.ControlMessage;
import io.leanp2p.codec.gossip.Message;
import io.leanp2p.codec.gossip.MessageId;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.config.GossipConfig;
import io.leanp2p.protocol.gossipsub.GossipOutput;
import io.leanp2p.protocol.gossipsub.GossipRouter;
import io.leanp2p.protocol.gossipsub.GossipMessage;
import io.leanp2p.types.Validation;
import io.leanp2p.types.Direction;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Scheduler;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The router alone on its thread: one inbound message = StrictNoSign field check, topic check,
 * decompression + message id, seen check, hand-off to the host, ACCEPT, forward to 8 mesh peers
 * (the output just counts). Compare {@code inboundMessage} with {@code messageIdOnly} (the
 * decompression + hash part) to get the router's own cost per message. Messages are distinct
 * (a ring of pre-built payloads; the seen TTL is 1 ms of a clock that advances 1 ms per message).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GossipRouterBenchmark {
  private static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";

  @Param({"1024", "524288"})
  public int size;

  private GossipRouter router;
  private Rpc[] rpcs;
  private long clock;
  private int next;
  private byte[] lastId;
  private long forwarded;
  private PeerId source;

  @Setup
  public void setup() throws DecodeException {
    Scheduler sched = new Scheduler() {
      @Override
      public long nanoTime() {
        return clock;
      }

      @Override
      public Cancellable schedule(long delayNanos, Runnable task) {
        return () -> {};
      }
    };
    GossipConfig base = GossipConfig.DEFAULT;
    GossipConfig cfg = base.toBuilder().seenTtlMillis(1).floodPublishMaxBytes(0).build();
    router = new GossipRouter(cfg, sched, new Random(1), new GossipOutput() {
      @Override
      public void send(PeerId to, Rpc rpc) {
        forwarded += rpc.publish().size();
      }

      @Override
      public void deliver(GossipMessage m) {
        lastId = m.messageId();
      }
    });
    router.subscribe(TOPIC);
    for (int i = 0; i < 9; i++) {
      PeerId p = PeerId.fromBytes(new byte[] {0, 2, 'p', (byte) ('0' + i)});
      if (i == 0) {
        source = p;
      }
      router.addPeer(p, "/meshsub/1.1.0", Direction.OUTBOUND, "10.0.0." + i);
      router.onRpc(p, new Rpc(List.of(new SubOpts(true, TOPIC)), List.of(),
          new ControlMessage(List.of(), List.of(), List.of(new ControlGraft(TOPIC)), List.of(), List.of())));
    }
    int count = size > 100_000 ? 16 : 1024;
    rpcs = new Rpc[count];
    Random rnd = new Random(42);
    for (int i = 0; i < count; i++) {
      byte[] ssz = new byte[size];
      byte[] half = new byte[size / 2];
      rnd.nextBytes(half);
      System.arraycopy(half, 0, ssz, 0, half.length);
      rpcs[i] = Rpc.ofPublish(List.of(Message.anonymous(TOPIC, SnappyBlock.compress(ssz))));
    }
  }

  /** One inbound message through the router: check, id, seen, deliver, ACCEPT, forward to 8. */
  @Benchmark
  public long inboundMessage() {
    Rpc rpc = rpcs[next];
    next = (next + 1) % rpcs.length;
    clock += 1_000_000L;
    if (next == 0) {
      router.heartbeat(); // expires the seen cache and shifts the message cache
    }
    lastId = null;
    router.onRpc(source, rpc);
    if (lastId != null) {
      router.reportValidation(lastId, Validation.ACCEPT);
    }
    return forwarded;
  }

  /** The decompression + message-id part alone, for comparison. */
  @Benchmark
  public void messageIdOnly(Blackhole bh) {
    Rpc rpc = rpcs[next];
    next = (next + 1) % rpcs.length;
    bh.consume(MessageId.prepare(TOPIC, rpc.publish().get(0).dataUnsafe(), 10 * 1024 * 1024));
  }
}
