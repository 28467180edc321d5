package io.leanp2p.bench;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.codec.snappy.SnappyFrames;
import io.leanp2p.codec.sszsnappy.RequestDecoder;
import io.leanp2p.codec.sszsnappy.ResponseChunk;
import io.leanp2p.lean.ResponseCode;
import io.leanp2p.codec.sszsnappy.ResponseDecoder;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyFramedInputStream;
import org.xerial.snappy.SnappyFramedOutputStream;

/**
 * Snappy block, snappy framing and ssz_snappy chunk decoding at 1 KiB / 64 KiB / 512 KiB, each
 * next to raw snappy-java on the same run:
 *
 * <ul>
 *   <li>{@code raw*Block*}: {@code Snappy.compress/uncompress(byte[])};
 *   <li>{@code rawChunked*}: the lower bound for framing: snappy-java block calls per 64 KiB into
 *       one output array, no CRC, no headers;
 *   <li>{@code rawFramedStream*}: snappy-java's own framing streams.
 * </ul>
 *
 * <p>Payloads are half random, half zeros. Every benchmark allocates its own output per call, as
 * real use does; run with {@code -prof gc} to see bytes allocated per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private static final int CHUNK = 65_536;
  private static final int MAX = SszSnappy.MAX_PAYLOAD;

  @Param({"1024", "65536", "524288"})
  public int size;

  private byte[] ssz;
  private byte[] block;
  private byte[] framed;
  private byte[][] rawChunks;
  private byte[] responseChunk;
  private byte[] request;

  @Setup
  public void setup() throws IOException {
    ssz = new byte[size];
    byte[] rnd = new byte[size / 2];
    new Random(42).nextBytes(rnd);
    System.arraycopy(rnd, 0, ssz, 0, rnd.length);
    block = SnappyBlock.compress(ssz);
    framed = SnappyFrames.encode(ssz);
    int n = (size + CHUNK - 1) / CHUNK;
    rawChunks = new byte[n][];
    for (int i = 0; i < n; i++) {
      int off = i * CHUNK;
      byte[] out = new byte[Snappy.maxCompressedLength(CHUNK)];
      int len = Snappy.compress(ssz, off, Math.min(CHUNK, size - off), out, 0);
      rawChunks[i] = java.util.Arrays.copyOf(out, len);
    }
    responseChunk = SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, ssz);
    request = SszSnappy.encodeRequest(ssz);
  }

  // ---------------------------------------------------------------- block

  @Benchmark
  public byte[] blockCompress() {
    return SnappyBlock.compress(ssz);
  }

  @Benchmark
  public byte[] rawBlockCompress() throws IOException {
    return Snappy.compress(ssz);
  }

  @Benchmark
  public byte[] blockDecompress() throws DecodeException {
    return SnappyBlock.decompress(block, MAX);
  }

  @Benchmark
  public byte[] rawBlockUncompress() throws IOException {
    return Snappy.uncompress(block);
  }

  // ---------------------------------------------------------------- framing

  @Benchmark
  public byte[] frameEncode() {
    return SnappyFrames.encode(ssz);
  }

  @Benchmark
  public byte[] rawChunkedCompress() throws IOException {
    byte[] out = new byte[Snappy.maxCompressedLength(Math.min(size, CHUNK)) * rawChunks.length];
    int pos = 0;
    for (int off = 0; off < size; off += CHUNK) {
      pos += Snappy.compress(ssz, off, Math.min(CHUNK, size - off), out, pos);
    }
    return out;
  }

  @Benchmark
  public byte[] rawFramedStreamEncode() throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream(size + 64);
    try (SnappyFramedOutputStream out = new SnappyFramedOutputStream(bos)) {
      out.write(ssz);
    }
    return bos.toByteArray();
  }

  @Benchmark
  public byte[] frameDecode() throws DecodeException {
    return SnappyFrames.decode(framed, MAX);
  }

  @Benchmark
  public byte[] rawChunkedUncompress() throws IOException {
    byte[] out = new byte[size];
    int pos = 0;
    for (byte[] c : rawChunks) {
      pos += Snappy.uncompress(c, 0, c.length, out, pos);
    }
    return out;
  }

  @Benchmark
  public byte[] rawFramedStreamDecode() throws IOException {
    try (SnappyFramedInputStream in = new SnappyFramedInputStream(new ByteArrayInputStream(framed))) {
      return in.readAllBytes();
    }
  }

  // ---------------------------------------------------------------- ssz_snappy

  /** One SUCCESS response chunk through a fresh incremental decoder (one heap buffer). */
  @Benchmark
  public void sszSnappyResponseDecode(Blackhole bh) throws DecodeException {
    ResponseDecoder d = new ResponseDecoder(MAX);
    ByteBuf in = Unpooled.wrappedBuffer(responseChunk);
    d.decode(in, (ResponseChunk c) -> bh.consume(c.payload()));
  }

  /** One request through a fresh incremental decoder (one heap buffer). */
  @Benchmark
  public byte[] sszSnappyRequestDecode() throws DecodeException {
    return new RequestDecoder(MAX).decode(Unpooled.wrappedBuffer(request));
  }
}
