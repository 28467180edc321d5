package io.leanp2p.adversarial;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.transport.tcp.noise.CipherState;
import io.leanp2p.transport.tcp.noise.NoiseException;
import io.leanp2p.transport.tcp.noise.NoisePayload;
import io.leanp2p.transport.tcp.noise.NoiseTransportCodec;
import io.leanp2p.transport.tcp.noise.NoiseXX;
import io.leanp2p.transport.tcp.noise.X25519;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.SecureRandom;

/**
 * The initiator's side of libp2p Noise XX over a raw TCP attacker, built from the library's own
 * Noise primitives, and the encrypted stream after it as a {@link Wire} of plaintext. It also
 * writes what an honest peer never would (raw bytes under the Noise framing).
 */
final class RawNoise implements Wire {
  private final RawTcp tcp;
  private final CipherState send;
  private final CipherState receive;
  private final PeerId remote;
  private byte[] plain = new byte[0];
  private int plainPos;

  private RawNoise(RawTcp tcp, CipherState send, CipherState receive, PeerId remote) {
    this.tcp = tcp;
    this.send = send;
    this.receive = receive;
    this.remote = remote;
  }

  /** Negotiates {@code /noise} and runs the handshake as {@code identity}. */
  static RawNoise handshake(RawTcp tcp, PrivateKey identity, SecureRandom random) throws IOException {
    tcp.select("/noise");
    X25519.KeyPairRaw key = X25519.generate(random);
    NoiseXX xx = new NoiseXX(true, key, random);
    try {
      writeHandshake(tcp, xx.writeMessage(new byte[0]));
      byte[] payload = xx.readMessage(readHandshake(tcp));
      PeerId remote = NoisePayload.verify(payload, xx.remoteStatic());
      writeHandshake(tcp, xx.writeMessage(NoisePayload.build(identity, key.publicKey())));
      CipherState[] c = xx.split();
      return new RawNoise(tcp, c[0], c[1], remote);
    } catch (NoiseException e) {
      throw new IOException("noise handshake: " + e.getMessage(), e);
    }
  }

  static void writeHandshake(Wire w, byte[] m) throws IOException {
    byte[] f = new byte[2 + m.length];
    f[0] = (byte) (m.length >> 8);
    f[1] = (byte) m.length;
    System.arraycopy(m, 0, f, 2, m.length);
    w.write(f);
  }

  static byte[] readHandshake(Wire w) throws IOException {
    byte[] h = w.readExactly(2);
    return w.readExactly(((h[0] & 0xff) << 8) | (h[1] & 0xff));
  }

  PeerId remotePeer() {
    return remote;
  }

  RawTcp tcp() {
    return tcp;
  }

  /** Encrypts {@code b} into as many Noise frames as it takes and sends them in one write. */
  @Override
  public void write(byte[] b) throws IOException {
    tcp.write(seal(b));
  }

  /** The Noise frames carrying {@code b}, for callers that want to send them their own way. */
  byte[] seal(byte[] b) throws IOException {
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    ByteBuf in = Unpooled.wrappedBuffer(b);
    ByteBuf out = Unpooled.buffer(b.length + 64);
    try {
      int off = 0;
      do {
        int n = Math.min(NoiseTransportCodec.MAX_PLAINTEXT, b.length - off);
        out.clear();
        out.writeShort(n + CipherState.TAG);
        send.encrypt(in, off, n, out);
        byte[] f = new byte[out.readableBytes()];
        out.readBytes(f);
        frames.writeBytes(f);
        off += n;
      } while (off < b.length);
    } catch (NoiseException e) {
      throw new IOException(e);
    } finally {
      in.release();
      out.release();
    }
    return frames.toByteArray();
  }

  @Override
  public byte[] readExactly(int n) throws IOException {
    byte[] r = new byte[n];
    int got = 0;
    while (got < n) {
      if (plainPos == plain.length) {
        readFrame();
        continue;
      }
      int k = Math.min(n - got, plain.length - plainPos);
      System.arraycopy(plain, plainPos, r, got, k);
      plainPos += k;
      got += k;
    }
    return r;
  }

  private void readFrame() throws IOException {
    byte[] h = tcp.readExactly(2);
    int len = ((h[0] & 0xff) << 8) | (h[1] & 0xff);
    byte[] ct = tcp.readExactly(len);
    ByteBuf in = Unpooled.wrappedBuffer(ct);
    ByteBuf out = Unpooled.buffer(len);
    try {
      receive.decrypt(in, 0, len, out);
      plain = new byte[out.readableBytes()];
      out.readBytes(plain);
      plainPos = 0;
    } catch (NoiseException e) {
      throw new IOException(e);
    } finally {
      in.release();
      out.release();
    }
  }
}
