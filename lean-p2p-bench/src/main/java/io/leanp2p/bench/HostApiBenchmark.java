package io.leanp2p.bench;

import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.Outcome;
import io.leanp2p.types.Validation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a host command call on the caller's thread (validate, copy, lock-free offer,
 * outcome), from 1 and 4 threads, and the command → loop → event round trip. A single network with
 * no peers: publishes go to no one, so the loop keeps up and most calls take the accepted path.
 * Sample mode gives the median and p99 of single calls.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class HostApiBenchmark {
  static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  LeanNetwork net;
  final byte[] payload = new byte[1024];
  final byte[] messageId = new byte[20];
  final AtomicReference<CompletableFuture<Void>> pong = new AtomicReference<>();

  @Setup(Level.Trial)
  public void start() throws Exception {
    net = LeanNetwork.start(
        NetworkConfig.builder()
            .name("bench")
            .listen("/ip4/127.0.0.1/tcp/0")
            .bulkLaneCapacity(1 << 20)
            .controlLaneCapacity(1 << 20)
            .build(),
        e -> {
          if (e instanceof NetworkEvent.PingResult) {
            CompletableFuture<Void> f = pong.get();
            if (f != null) {
              f.complete(null);
            }
          }
        });
    net.awaitReady(Duration.ofSeconds(10));
    net.subscribe(TOPIC);
  }

  @TearDown(Level.Trial)
  public void stop() {
    net.close();
  }

  @Benchmark
  @Threads(1)
  public Outcome publish1KiB_1thread() {
    return net.publish(TOPIC, payload);
  }

  @Benchmark
  @Threads(4)
  public Outcome publish1KiB_4threads() {
    return net.publish(TOPIC, payload);
  }

  /** Control lane: the same path as sendResponseChunk (validation results for unknown ids are no-ops). */
  @Benchmark
  @Threads(1)
  public Outcome controlLane_1thread() {
    return net.reportValidation(messageId, Validation.IGNORE);
  }

  @Benchmark
  @Threads(4)
  public Outcome controlLane_4threads() {
    return net.reportValidation(messageId, Validation.IGNORE);
  }

  /**
   * Command → loop → event → host: a ping to ourselves fails at once on the loop ("peer not
   * connected") and comes back as a PingResult event on the delivery thread.
   */
  @Benchmark
  @Threads(1)
  public void roundTrip() throws Exception {
    CompletableFuture<Void> f = new CompletableFuture<>();
    pong.set(f);
    net.ping(net.localPeerId());
    f.get(5, TimeUnit.SECONDS);
  }
}
