package io.leanp2p.bench;

import io.leanp2p.codec.gossip.MessageId;
import io.leanp2p.codec.snappy.SnappyBlock;
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

/**
 * Gossip message-id cost at 1 KiB / 64 KiB / 512 KiB of SSZ: the full path (strict raw-snappy
 * decompression + SHA-256 over domain, topic and payload) and the hash alone over an already
 * decompressed payload. Payloads are half random, half zeros (compressible like real SSZ).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageIdBenchmark {
  private static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";

  @Param({"1024", "65536", "524288"})
  public int size;

  private byte[] ssz;
  private byte[] wire;

  @Setup
  public void setup() {
    ssz = new byte[size];
    byte[] rnd = new byte[size / 2];
    new Random(42).nextBytes(rnd);
    System.arraycopy(rnd, 0, ssz, 0, rnd.length);
    wire = SnappyBlock.compress(ssz);
  }

  /** Decompress + id, as done for every received message. */
  @Benchmark
  public byte[] decompressAndId() {
    return MessageId.compute(TOPIC, wire);
  }

  /** The id when the payload is already decompressed (the hash cost alone). */
  @Benchmark
  public byte[] idOfDecompressed() {
    return MessageId.computeDecompressed(TOPIC, wire, ssz);
  }
}
