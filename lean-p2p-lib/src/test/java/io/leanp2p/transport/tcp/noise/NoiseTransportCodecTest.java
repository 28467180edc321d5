package io.leanp2p.transport.tcp.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NoiseTransportCodecTest {
  /**
   * A steady stream whose reads always end inside a frame: the buffer that keeps the partial frame
   * must stay bounded (it grew without end before, reallocating and copying everything it held on
   * every append past its capacity).
   */
  @Test
  void aSteadyStreamOfSplitFramesKeepsTheCumulationBounded() throws Exception {
    byte[] key = new byte[32];
    new Random(1).nextBytes(key);
    CipherState encryptor = new CipherState(key);
    NoiseTransportCodec codec = new NoiseTransportCodec(new CipherState(new byte[32]), new CipherState(key));
    EmbeddedChannel ch = new EmbeddedChannel(codec);
    Random random = new Random(2);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    for (int i = 0; i < 200; i++) {
      byte[] plain = new byte[NoiseTransportCodec.MAX_PLAINTEXT - random.nextInt(100)];
      random.nextBytes(plain);
      sent.write(plain);
      byte[] c = encryptor.encrypt(new byte[0], plain);
      wire.write(c.length >>> 8);
      wire.write(c.length & 0xff);
      wire.write(c);
    }
    byte[] all = wire.toByteArray();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    int maxCapacity = 0;
    for (int off = 0; off < all.length; off += 50_000) { // every read ends inside a frame
      int n = Math.min(50_000, all.length - off);
      ch.writeInbound(Unpooled.copiedBuffer(all, off, n));
      maxCapacity = Math.max(maxCapacity, codec.cumulationCapacity());
      ByteBuf out;
      while ((out = ch.readInbound()) != null) {
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        received.write(b);
        out.release();
      }
    }
    assertThat(received.toByteArray()).isEqualTo(sent.toByteArray());
    assertThat(maxCapacity).as("cumulation capacity").isLessThanOrEqualTo(4 * 65_537);
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }
}
