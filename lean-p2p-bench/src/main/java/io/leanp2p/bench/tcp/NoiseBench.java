package io.leanp2p.bench.tcp;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.transport.tcp.noise.CipherState;
import io.leanp2p.transport.tcp.noise.NoisePayload;
import io.leanp2p.transport.tcp.noise.NoiseXX;
import io.leanp2p.transport.tcp.noise.X25519;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Noise: transport encrypt + decrypt of one message (ChaCha20-Poly1305 on the JDK, direct
 * buffers), and the full libp2p XX handshake, both sides (X25519 + secp256k1 sign/verify).
 * Transport throughput in bytes/s = ops/s × size.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NoiseBench {
  @Param({"65536"})
  public int size;

  private CipherState send;
  private CipherState recv;
  private ByteBuf plain;
  private ByteBuf cipher;
  private ByteBuf out;
  private SecureRandom rnd;
  private PrivateKey ki;
  private PrivateKey kr;
  private X25519.KeyPairRaw si;
  private X25519.KeyPairRaw sr;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    rnd = new SecureRandom();
    si = X25519.generate(rnd);
    sr = X25519.generate(rnd);
    NoiseXX i = new NoiseXX(true, si, rnd);
    NoiseXX r = new NoiseXX(false, sr, rnd);
    r.readMessage(i.writeMessage(new byte[0]));
    i.readMessage(r.writeMessage(new byte[0]));
    r.readMessage(i.writeMessage(new byte[0]));
    send = i.split()[0];
    recv = r.split()[1];
    var alloc = PooledByteBufAllocator.DEFAULT;
    plain = alloc.directBuffer(size);
    byte[] b = new byte[size];
    rnd.nextBytes(b);
    plain.writeBytes(b);
    cipher = alloc.directBuffer(size + 16);
    out = alloc.directBuffer(size);
    ki = Secp256k1PrivateKey.generate(rnd);
    kr = Secp256k1PrivateKey.generate(rnd);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    plain.release();
    cipher.release();
    out.release();
  }

  /** One message encrypted by one side and decrypted by the other. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public int transportEncryptDecrypt() throws Exception {
    cipher.clear();
    out.clear();
    send.encrypt(plain, 0, size, cipher);
    recv.decrypt(cipher, 0, cipher.readableBytes(), out);
    return out.readableBytes();
  }

  /** The whole libp2p Noise XX handshake, initiator and responder, with payload signatures. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public PeerId fullHandshakeBothSides() throws Exception {
    NoiseXX i = new NoiseXX(true, si, rnd);
    NoiseXX r = new NoiseXX(false, sr, rnd);
    r.readMessage(i.writeMessage(new byte[0]));
    byte[] p2 = i.readMessage(r.writeMessage(NoisePayload.build(kr, sr.publicKey())));
    NoisePayload.verify(p2, i.remoteStatic());
    byte[] p3 = r.readMessage(i.writeMessage(NoisePayload.build(ki, si.publicKey())));
    PeerId id = NoisePayload.verify(p3, r.remoteStatic());
    i.split();
    r.split();
    return id;
  }
}
