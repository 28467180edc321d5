package io.leanp2p.bench;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.codec.snappy.SnappyFrames;
import io.leanp2p.lean.ResponseCode;
import io.leanp2p.codec.sszsnappy.ResponseDecoder;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import org.xerial.snappy.Snappy;

/**
 * A load-tolerant cross-check of {@link CodecBenchmark}: on a shared machine wall-clock JMH
 * scores swing by more than the 10% we care about, so this measures <em>thread CPU time</em> of
 * our codec and raw snappy-java interleaved round by round (A, B, A, B, ...) and prints the
 * median ratio. Not a JMH benchmark; run with {@code java -cp <benchmarks jar>
 * io.leanp2p.bench.CodecCpuComparison}.
 */
public final class CodecCpuComparison {
  private static final int CHUNK = 65_536;
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static long sink;

  private CodecCpuComparison() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 41;
    for (int size : new int[] {1024, 65536, 524288}) {
      byte[] ssz = new byte[size];
      byte[] rnd = new byte[size / 2];
      new Random(42).nextBytes(rnd);
      System.arraycopy(rnd, 0, ssz, 0, rnd.length);
      byte[] block = SnappyBlock.compress(ssz);
      byte[] framed = SnappyFrames.encode(ssz);
      byte[] chunk = SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, ssz);
      int n = (size + CHUNK - 1) / CHUNK;
      byte[][] rawChunks = new byte[n][];
      for (int i = 0; i < n; i++) {
        rawChunks[i] = Snappy.compress(Arrays.copyOfRange(ssz, i * CHUNK, Math.min(size, (i + 1) * CHUNK)));
      }
      int reps = Math.max(20, 4_000_000 / size);
      Callable<Object> rawBlock = () -> Snappy.uncompress(block);
      Callable<Object> rawChunked = () -> {
        byte[] out = new byte[size];
        int pos = 0;
        for (byte[] c : rawChunks) {
          pos += Snappy.uncompress(c, 0, c.length, out, pos);
        }
        return out;
      };
      compare("block decompress", size, reps, rounds,
          () -> SnappyBlock.decompress(block, SszSnappy.MAX_PAYLOAD), rawBlock);
      compare("block compress", size, reps, rounds,
          () -> SnappyBlock.compress(ssz), () -> Snappy.compress(ssz));
      compare("frame decode", size, reps, rounds,
          () -> SnappyFrames.decode(framed, SszSnappy.MAX_PAYLOAD), rawChunked);
      compare("frame encode", size, reps, rounds, () -> SnappyFrames.encode(ssz), () -> {
        byte[] out = new byte[Snappy.maxCompressedLength(Math.min(size, CHUNK)) * n];
        int pos = 0;
        for (int off = 0; off < size; off += CHUNK) {
          pos += Snappy.compress(ssz, off, Math.min(CHUNK, size - off), out, pos);
        }
        return out;
      });
      compare("masked crc32c (vs raw chunked compress)", size, reps, rounds,
          () -> SnappyFrames.maskedCrc32c(ssz, 0, size), () -> {
            byte[] out = new byte[Snappy.maxCompressedLength(Math.min(size, CHUNK)) * n];
            int pos = 0;
            for (int off = 0; off < size; off += CHUNK) {
              pos += Snappy.compress(ssz, off, Math.min(CHUNK, size - off), out, pos);
            }
            return out;
          });
      compare("ssz_snappy response chunk decode", size, reps, rounds, () -> {
        ResponseDecoder d = new ResponseDecoder(SszSnappy.MAX_PAYLOAD);
        d.decode(Unpooled.wrappedBuffer(chunk), c -> sink += c.payload().length);
        return null;
      }, rawChunked);
    }
  }

  private static void compare(String what, int size, int reps, int rounds, Callable<Object> ours,
      Callable<Object> raw) throws Exception {
    for (int w = 0; w < 5; w++) {
      cpuNanos(ours, reps);
      cpuNanos(raw, reps);
    }
    double[] ratio = new double[rounds];
    double[] oursNs = new double[rounds];
    double[] rawNs = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      oursNs[r] = cpuNanos(ours, reps) / (double) reps;
      rawNs[r] = cpuNanos(raw, reps) / (double) reps;
      ratio[r] = oursNs[r] / rawNs[r];
    }
    Arrays.sort(ratio);
    Arrays.sort(oursNs);
    Arrays.sort(rawNs);
    System.out.printf("%-34s %7d B  ours %10.1f us  raw %10.1f us  median ratio %.3f%n", what,
        size, oursNs[rounds / 2] / 1000, rawNs[rounds / 2] / 1000, ratio[rounds / 2]);
  }

  private static long cpuNanos(Callable<Object> op, int reps) throws Exception {
    long t0 = MX.getCurrentThreadCpuTime();
    for (int i = 0; i < reps; i++) {
      Object o = op.call();
      if (o != null) {
        sink += o.hashCode();
      }
    }
    return MX.getCurrentThreadCpuTime() - t0;
  }
}
