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
    NoiseTransportCodec codec = new NoiseTransportCodec(new CipherState(new byte[32]), new CipherState(key));
    EmbeddedChannel ch = new EmbeddedChannel(codec);
    Random random = new Random(2);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    byte[] all = frames(key, 200, () -> NoiseTransportCodec.MAX_PLAINTEXT - random.nextInt(100), random, sent);
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

  /**
   * Frames in reads of every small size: exactly the plaintext sent, and a read that only extends
   * the pending frame passes nothing on.
   */
  @Test
  void framesInSmallReadsDeliverExactlyThePlaintext() throws Exception {
    byte[] key = new byte[32];
    new Random(3).nextBytes(key);
    Random random = new Random(4);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    byte[] all = frames(key, 20, () -> random.nextInt(3000), random, sent);
    for (int piece : new int[] {1, 2, 17, 1000}) {
      NoiseTransportCodec codec = new NoiseTransportCodec(new CipherState(new byte[32]), new CipherState(key));
      EmbeddedChannel ch = new EmbeddedChannel(codec);
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      int frameEnd = 0;
      int frameStart = 0;
      for (int off = 0; off < all.length; off += piece) {
        int n = Math.min(piece, all.length - off);
        while (frameEnd <= off) { // the frame this read starts in
          frameStart = frameEnd;
          frameEnd += 2 + (((all[frameEnd] & 0xff) << 8) | (all[frameEnd + 1] & 0xff));
        }
        ch.writeInbound(Unpooled.copiedBuffer(all, off, n));
        ByteBuf out;
        boolean passedOn = false;
        while ((out = ch.readInbound()) != null) {
          passedOn = true;
          byte[] b = new byte[out.readableBytes()];
          out.readBytes(b);
          received.write(b);
          out.release();
        }
        if (off > frameStart + 1 && off + n < frameEnd) {
          assertThat(passedOn).as("a read inside one frame passed something on").isFalse();
        }
      }
      assertThat(received.toByteArray()).as("reads of " + piece).isEqualTo(sent.toByteArray());
      assertThat(ch.finishAndReleaseAll()).isFalse();
    }
  }

  /** {@code count} Noise transport frames under {@code key} of random plaintexts; the plaintexts go to sent. */
  private static byte[] frames(byte[] key, int count, java.util.function.IntSupplier size, Random random,
      ByteArrayOutputStream sent) throws Exception {
    CipherState encryptor = new CipherState(key);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int i = 0; i < count; i++) {
      byte[] plain = new byte[size.getAsInt()];
      random.nextBytes(plain);
      sent.write(plain);
      byte[] c = encryptor.encrypt(new byte[0], plain);
      wire.write(c.length >>> 8);
      wire.write(c.length & 0xff);
      wire.write(c);
    }
    return wire.toByteArray();
  }
}
