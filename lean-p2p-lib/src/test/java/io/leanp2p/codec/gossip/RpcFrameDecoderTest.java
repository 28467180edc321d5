package io.leanp2p.codec.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.testing.Splits;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.leanp2p.config.RpcLimits;

class RpcFrameDecoderTest {
  private static final String T = "/leanconsensus/12345678/block/ssz_snappy";

  @Test
  void decodesEveryFragmentation() throws Exception {
    List<Rpc> rpcs = List.of(
        Rpc.ofSubscriptions(List.of(new SubOpts(true, T))),
        Rpc.EMPTY,
        Rpc.ofPublish(List.of(Message.anonymous(T, new byte[300]))),
        Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(new ControlGraft(T)),
            List.of(new ControlPrune(T, 60)), List.of())));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (Rpc r : rpcs) {
      all.write(RpcFrames.encode(r));
    }
    byte[] stream = all.toByteArray();
    for (Splits.Split s : Splits.of(stream, 400, 30)) {
      RpcFrameDecoder dec = new RpcFrameDecoder(1 << 20);
      List<byte[]> frames = new ArrayList<>();
      for (byte[] piece : s.pieces()) {
        frames.addAll(dec.decode(Unpooled.wrappedBuffer(piece)));
      }
      assertThat(dec.isIdle()).as(s.name()).isTrue();
      List<Rpc> got = new ArrayList<>();
      for (byte[] f : frames) {
        got.add(RpcCodec.decode(f));
      }
      assertThat(got).as(s.name()).isEqualTo(rpcs);
    }
  }

  /**
   * The zero-copy form under every fragmentation: the frames are the received buffers (slices or
   * composites of them), decode to the same RPCs as the array form, and every buffer is released.
   */
  @Test
  void zeroCopyFramesUnderEveryFragmentation() throws Exception {
    List<Rpc> rpcs = List.of(
        Rpc.ofSubscriptions(List.of(new SubOpts(true, T))),
        Rpc.EMPTY,
        Rpc.ofPublish(List.of(Message.anonymous(T, new byte[3000]))),
        Rpc.ofPublish(List.of(Message.anonymous(T, new byte[] {1, 2, 3}), Message.anonymous(T, new byte[5000]))),
        Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(new ControlGraft(T)),
            List.of(new ControlPrune(T, 60)), List.of())));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (Rpc r : rpcs) {
      all.write(RpcFrames.encodeShared(r).toArray());
    }
    byte[] stream = all.toByteArray();
    for (Splits.Split s : Splits.of(stream, 400, 30)) {
      RpcFrameDecoder dec = new RpcFrameDecoder(1 << 20);
      List<ByteBuf> frames = new ArrayList<>();
      List<ByteBuf> inputs = new ArrayList<>();
      for (byte[] piece : s.pieces()) {
        ByteBuf in = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(piece.length).writeBytes(piece);
        dec.decodeFrames(in, frames);
        inputs.add(in);
        in.release();
      }
      assertThat(dec.isIdle()).as(s.name()).isTrue();
      List<Rpc> got = new ArrayList<>();
      for (ByteBuf f : frames) {
        got.add(RpcCodec.decode(f, RpcLimits.DEFAULT));
        f.release();
      }
      assertThat(got).as(s.name()).isEqualTo(rpcs);
      for (ByteBuf in : inputs) {
        assertThat(in.refCnt()).as(s.name()).isZero();
      }
    }
  }

  @Test
  void zeroCopyPartialFrameIsReleasedAndOversizeRejected() throws Exception {
    RpcFrameDecoder dec = new RpcFrameDecoder(1000);
    List<ByteBuf> frames = new ArrayList<>();
    ByteBuf a = Unpooled.buffer().writeBytes(Hex.decode("0a0102"));
    dec.decodeFrames(a, frames);
    a.release();
    assertThat(frames).isEmpty();
    assertThat(dec.pendingBodyBytes()).isEqualTo(8);
    assertThat(a.refCnt()).isEqualTo(1); // held by the partial frame
    dec.release();
    assertThat(a.refCnt()).isZero();
    RpcFrameDecoder small = new RpcFrameDecoder(100);
    ByteBuf big = Unpooled.wrappedBuffer(Hex.decode("e501"));
    assertThatThrownBy(() -> small.decodeFrames(big, frames)).isInstanceOf(DecodeException.class);
    big.release();
  }

  @Test
  void rejectsOversizedDeclaredLengthBeforeAllocating() {
    RpcFrameDecoder dec = new RpcFrameDecoder(RpcLimits.DEFAULT.maxRpcSize());
    // 2^31 - 1 declared: rejected while reading the header
    ByteBuf huge = Unpooled.wrappedBuffer(Hex.decode("ffffffff07"));
    assertThatThrownBy(() -> dec.decode(huge))
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TOO_LARGE));
    assertThat(huge.refCnt()).isZero();
    // already rejected on the first bytes that prove the value too large
    RpcFrameDecoder small = new RpcFrameDecoder(100);
    ByteBuf partial = Unpooled.wrappedBuffer(Hex.decode("e5"));
    assertThat(partial.readableBytes()).isEqualTo(1);
    assertThatThrownBy(() -> small.decode(partial)).isInstanceOf(DecodeException.class);
    // failure is sticky
    assertThatThrownBy(() -> small.decode(Unpooled.wrappedBuffer(new byte[] {1, 0}))).isInstanceOf(DecodeException.class);
    // exactly the limit is accepted
    RpcFrameDecoder exact = new RpcFrameDecoder(100);
    byte[] frame = new byte[101];
    frame[0] = 100;
    assertThat(catching(() -> exact.decode(Unpooled.wrappedBuffer(frame)))).hasSize(1);
    // non-canonical length varint
    assertThatThrownBy(() -> new RpcFrameDecoder(100).decode(Unpooled.wrappedBuffer(Hex.decode("8000"))))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void bufferIsReleasedAndPartialStateReported() throws DecodeException {
    RpcFrameDecoder dec = new RpcFrameDecoder(1000);
    ByteBuf b = Unpooled.wrappedBuffer(Hex.decode("0a0102"));
    assertThat(dec.decode(b)).isEmpty();
    assertThat(b.refCnt()).isZero();
    assertThat(dec.isIdle()).isFalse();
    assertThat(dec.pendingBodyBytes()).isEqualTo(8);
  }

  private interface Call {
    List<byte[]> run() throws DecodeException;
  }

  private static List<byte[]> catching(Call c) {
    try {
      return c.run();
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }
}
