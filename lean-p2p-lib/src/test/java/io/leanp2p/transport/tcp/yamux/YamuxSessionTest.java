package io.leanp2p.transport.tcp.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.testing.Splits;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.config.YamuxConfig;

@Timeout(30)
class YamuxSessionTest {

  /** Records stream events and copies data. */
  static final class Rec implements StreamHandler {
    final ByteArrayOutputStream data = new ByteArrayOutputStream();
    final List<String> events = new ArrayList<>();
    boolean echo;

    @Override
    public void onData(MuxedStream s, ByteBuf b) {
      data.writeBytes(ByteBufUtil.getBytes(b));
      if (echo) {
        s.write(b);
      } else {
        b.release();
      }
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      events.add("fin");
      if (echo) {
        s.closeWrite();
      }
    }

    @Override
    public void onReset(MuxedStream s, String reason) {
      events.add("reset");
    }

    @Override
    public void onClosed(MuxedStream s) {
      events.add("closed");
    }
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] frame(int type, int flags, int id, long len, byte[] payload) {
    ByteBuf b = Unpooled.buffer();
    YamuxFrame.writeHeader(b, type, flags, id, len);
    if (payload != null) {
      b.writeBytes(payload);
    }
    byte[] out = ByteBufUtil.getBytes(b);
    b.release();
    return out;
  }

  @Test
  void echoWithHalfCloseBothWaysClosesCleanly() {
    YamuxPair p = new YamuxPair();
    List<Rec> serverSide = new ArrayList<>();
    p.server.inboundStreamHandler(
        s -> {
          Rec r = new Rec();
          r.echo = true;
          serverSide.add(r);
          s.handler(r);
        });
    Future<MuxedStream> f = p.client.openStream();
    assertThat(f.isSuccess()).isTrue();
    MuxedStream s = f.getNow();
    assertThat(s.id()).isEqualTo(1);
    Rec mine = new Rec();
    s.handler(mine);
    byte[] payload = random(1_000_000, 1); // > window: needs updates
    s.write(Unpooled.wrappedBuffer(payload));
    s.closeWrite();
    p.shuttle();
    assertThat(mine.data.toByteArray()).isEqualTo(payload);
    assertThat(mine.events).containsExactly("fin", "closed");
    assertThat(serverSide.get(0).events).containsExactly("fin", "closed");
    assertThat(p.client.streamCount()).isZero();
    assertThat(p.server.streamCount()).isZero();
    assertThat(p.errors.snapshot()).isEmpty();
    p.finish();
  }

  @Test
  void receiveWindowIsCreditedOnlyWhenConsumed() {
    YamuxPair p = new YamuxPair();
    List<MuxedStream> in = new ArrayList<>();
    Rec rec = new Rec();
    p.server.inboundStreamHandler(
        s -> {
          in.add(s);
          s.setReadPaused(true);
          s.handler(rec);
        });
    MuxedStream s = p.client.openStream().getNow();
    byte[] payload = random(600_000, 2);
    Future<Void> w = s.write(Unpooled.wrappedBuffer(payload));
    p.shuttle();
    // paused: nothing delivered, and the sender stopped at the 256 KiB window
    assertThat(rec.data.size()).isZero();
    assertThat(w.isDone()).isFalse();
    assertThat(s.isWritable()).isFalse();
    in.get(0).setReadPaused(false);
    p.shuttle();
    assertThat(rec.data.toByteArray()).isEqualTo(payload);
    assertThat(w.isSuccess()).isTrue();
    assertThat(s.isWritable()).isTrue();
    p.finish();
  }

  @Test
  void aFastReaderGrowsTheReceiveWindowUpToTheMaximum() {
    // the embedded loop's clock does not move: every credit came "fast", so the window doubled to the cap
    assertThat(windowAfterTransfer(YamuxConfig.defaults().withMaxWindow(2 * 1024 * 1024), 6_000_000))
        .isEqualTo(2 * 1024 * 1024);
  }

  @Test
  void withMaxWindowEqualToTheInitialWindowTheWindowStaysFixed() {
    assertThat(windowAfterTransfer(YamuxConfig.defaults().withMaxWindow(YamuxConfig.SPEC_WINDOW), 2_000_000))
        .isEqualTo(YamuxConfig.SPEC_WINDOW);
  }

  /** Sends {@code size} bytes over one stream, checks they arrived intact, returns the receiver's window. */
  private static long windowAfterTransfer(YamuxConfig cfg, int size) {
    YamuxPair p = new YamuxPair(cfg);
    List<MuxedStream> in = new ArrayList<>();
    Rec rec = new Rec();
    p.server.inboundStreamHandler(s -> {
      in.add(s);
      s.handler(rec);
    });
    byte[] payload = random(size, size);
    Future<Void> w = p.client.openStream().getNow().write(Unpooled.wrappedBuffer(payload));
    p.shuttle();
    assertThat(rec.data.toByteArray()).isEqualTo(payload);
    assertThat(w.isSuccess()).isTrue();
    long window = ((YamuxStream) in.get(0)).window();
    p.finish();
    return window;
  }

  @Test
  void windowViolationClosesTheConnectionWithATypedReason() {
    YamuxPair p = new YamuxPair();
    p.server.inboundStreamHandler(s -> s.handler(new Rec()));
    byte[] tooMuch = new byte[YamuxConfig.SPEC_WINDOW + 1];
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(0, YamuxFrame.SYN, 1, tooMuch.length, tooMuch)));
    assertThat(p.server.isOpen()).isFalse();
    assertThat(p.server.closeReason().kind()).isEqualTo(CloseReason.Kind.PROTOCOL_ERROR);
    assertThat(p.errors.get(YamuxError.WINDOW_VIOLATION)).isEqualTo(1);
    p.finish();
  }

  @Test
  void windowViolationAfterPartialConsumptionIsDetected() {
    YamuxPair p = new YamuxPair();
    List<MuxedStream> in = new ArrayList<>();
    p.server.inboundStreamHandler(
        s -> {
          in.add(s);
          s.setReadPaused(true); // never consumes: no credit
          s.handler(new Rec());
        });
    byte[] half = new byte[YamuxConfig.SPEC_WINDOW / 2];
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(0, YamuxFrame.SYN, 1, half.length, half)));
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(0, 0, 1, half.length, half)));
    assertThat(p.server.isOpen()).isTrue();
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(0, 0, 1, 1, new byte[1])));
    assertThat(p.server.isOpen()).isFalse();
    assertThat(p.errors.get(YamuxError.WINDOW_VIOLATION)).isEqualTo(1);
    p.finish();
  }

  @Test
  void synAndFinInOneFrameAreBothHandled() {
    YamuxPair p = new YamuxPair();
    Rec rec = new Rec();
    p.server.inboundStreamHandler(s -> s.handler(rec));
    p.sch.writeInbound(
        Unpooled.wrappedBuffer(frame(0, YamuxFrame.SYN | YamuxFrame.FIN, 1, 3, new byte[] {7, 8, 9})));
    assertThat(rec.data.toByteArray()).containsExactly(7, 8, 9);
    assertThat(rec.events).containsExactly("fin");
    p.finish();
  }

  @Test
  void synWithOurParityIsAProtocolError() {
    YamuxPair p = new YamuxPair();
    p.server.inboundStreamHandler(s -> s.handler(new Rec()));
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(1, YamuxFrame.SYN, 2, 0, null)));
    assertThat(p.server.isOpen()).isFalse();
    assertThat(p.errors.get(YamuxError.BAD_STREAM_ID)).isEqualTo(1);
    p.finish();
  }

  @Test
  void reusedStreamIdIsAProtocolError() {
    YamuxPair p = new YamuxPair();
    p.server.inboundStreamHandler(s -> s.handler(new Rec()));
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(1, YamuxFrame.SYN, 5, 0, null)));
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(1, YamuxFrame.SYN, 3, 0, null)));
    assertThat(p.errors.get(YamuxError.BAD_STREAM_ID)).isEqualTo(1);
    p.finish();
  }

  @Test
  void unacknowledgedInboundStreamsAreCappedAndTheRestReset() {
    YamuxPair p = new YamuxPair();
    // no inbound handler: streams stay unacknowledged
    for (int i = 0; i < 257; i++) {
      p.sch.writeInbound(Unpooled.wrappedBuffer(frame(1, YamuxFrame.SYN, 1 + 2 * i, 0, null)));
    }
    assertThat(p.errors.get(YamuxError.STREAM_LIMIT)).isEqualTo(1);
    ByteBuf out = p.sch.readOutbound();
    assertThat(out.getUnsignedShort(2) & YamuxFrame.RST).isEqualTo(YamuxFrame.RST);
    assertThat(out.getInt(4)).isEqualTo(1 + 2 * 256);
    out.release();
    List<MuxedStream> got = new ArrayList<>();
    p.server.inboundStreamHandler(s -> {
      got.add(s);
      s.handler(new Rec());
    });
    assertThat(got).hasSize(256);
    p.finish();
  }

  @Test
  void pingIsAnswered() {
    YamuxPair p = new YamuxPair();
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(2, YamuxFrame.SYN, 0, 0xCAFE, null)));
    ByteBuf out = p.sch.readOutbound();
    assertThat(out.getByte(1)).isEqualTo((byte) 2);
    assertThat(out.getUnsignedShort(2)).isEqualTo(YamuxFrame.ACK);
    assertThat(out.getInt(8)).isEqualTo(0xCAFE);
    out.release();
    p.finish();
  }

  @Test
  void goAwayFromRemoteClosesWhenIdle() {
    YamuxPair p = new YamuxPair();
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(3, 0, 0, 0, null)));
    assertThat(p.server.isOpen()).isFalse();
    assertThat(p.server.closeReason().kind()).isEqualTo(CloseReason.Kind.REMOTE_CLOSE);
    p.finish();
  }

  @Test
  void localCloseSendsGoAwayAndTheRemoteSeesACleanClose() {
    YamuxPair p = new YamuxPair();
    Rec rec = new Rec();
    p.server.inboundStreamHandler(s -> s.handler(rec));
    MuxedStream s = p.client.openStream().getNow();
    s.handler(new Rec());
    p.shuttle();
    p.client.close("bye");
    p.shuttle();
    assertThat(p.cch.isActive()).isFalse();
    p.sch.close(); // the TCP connection going away, as the server sees it
    assertThat(p.server.closeReason().kind()).isEqualTo(CloseReason.Kind.REMOTE_CLOSE);
    assertThat(p.client.isOpen()).isFalse();
    assertThat(p.client.closeReason().kind()).isEqualTo(CloseReason.Kind.LOCAL_CLOSE);
    assertThat(rec.events).contains("reset", "closed"); // server's stream ends with its connection
    p.finish();
  }

  @Test
  void resetReachesTheOtherSide() {
    YamuxPair p = new YamuxPair();
    Rec rec = new Rec();
    p.server.inboundStreamHandler(s -> s.handler(rec));
    MuxedStream s = p.client.openStream().getNow();
    Rec mine = new Rec();
    s.handler(mine);
    p.shuttle();
    s.reset();
    p.shuttle();
    assertThat(mine.events).containsExactly("reset", "closed");
    assertThat(rec.events).containsExactly("reset", "closed");
    assertThat(s.write(Unpooled.wrappedBuffer(new byte[1])).isSuccess()).isFalse();
    p.finish();
  }

  @Test
  void hundredStreamsOpenedAndClosedInARow() {
    YamuxPair p = new YamuxPair();
    p.server.inboundStreamHandler(
        s -> {
          Rec r = new Rec();
          r.echo = true;
          s.handler(r);
        });
    for (int i = 0; i < 100; i++) {
      MuxedStream s = p.client.openStream().getNow();
      Rec r = new Rec();
      s.handler(r);
      s.write(Unpooled.wrappedBuffer(new byte[] {(byte) i}));
      s.closeWrite();
      p.shuttle();
      assertThat(r.data.toByteArray()).containsExactly((byte) i);
      assertThat(r.events).containsExactly("fin", "closed");
    }
    assertThat(p.client.streamCount()).isZero();
    assertThat(p.server.streamCount()).isZero();
    p.finish();
  }

  /** Bad raw input under every split: typed, counted close; no exception, no leak. */
  @Test
  void badFramesUnderEverySplit() {
    record Case(String name, byte[] input, YamuxError expect) {}
    List<Case> cases =
        List.of(
            new Case("bad version", frame(0, YamuxFrame.SYN, 1, 0, null), null),
            new Case("bad type", frame(9, 0, 0, 0, null), YamuxError.BAD_TYPE),
            new Case("oversized frame", frame(0, YamuxFrame.SYN, 1, 0x7fff_ffffL, null), YamuxError.FRAME_TOO_LARGE),
            new Case("ping on stream", frame(2, YamuxFrame.SYN, 1, 0, null), YamuxError.BAD_FLAGS),
            new Case("data on stream 0", frame(0, 0, 0, 1, new byte[1]), YamuxError.BAD_STREAM_ID),
            new Case(
                "window overflow",
                concat(frame(1, YamuxFrame.SYN, 1, 0, null), frame(1, 0, 1, 0xFFFF_FFFFL, null)),
                YamuxError.WINDOW_OVERFLOW));
    for (Case c : cases) {
      byte[] input = c.input().clone();
      if (c.name().equals("bad version")) {
        input[0] = 1;
      }
      for (Splits.Split split : Splits.of(input, 64, 5)) {
        YamuxPair p = new YamuxPair();
        p.server.inboundStreamHandler(s -> s.handler(new Rec()));
        for (byte[] piece : split.pieces()) {
          if (p.sch.isActive()) {
            p.sch.writeInbound(Unpooled.wrappedBuffer(piece));
          }
        }
        String what = c.name() + " " + split.name();
        assertThat(p.server.isOpen()).as(what).isFalse();
        assertThat(p.server.closeReason().kind()).as(what).isEqualTo(CloseReason.Kind.PROTOCOL_ERROR);
        YamuxError e = c.expect() == null ? YamuxError.BAD_VERSION : c.expect();
        assertThat(p.errors.get(e)).as(what).isEqualTo(1);
        p.finish();
      }
    }
  }

  @Test
  void reorderedFramesAreHandledWithoutBreakingTheSession() {
    YamuxPair p = new YamuxPair();
    List<Rec> recs = new ArrayList<>();
    p.server.inboundStreamHandler(s -> {
      Rec r = new Rec();
      recs.add(r);
      s.handler(r);
    });
    // data before its SYN: a frame for an unknown stream, ignored
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(0, 0, 1, 2, new byte[] {1, 2})));
    // window update and ACK for unknown streams: ignored
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(1, YamuxFrame.ACK, 7, 10, null)));
    assertThat(p.server.isOpen()).isTrue();
    assertThat(recs).isEmpty();
    // FIN then data on a stream: data after FIN resets that stream, the session survives
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(0, YamuxFrame.SYN | YamuxFrame.FIN, 3, 1, new byte[] {5})));
    p.sch.writeInbound(Unpooled.wrappedBuffer(frame(0, 0, 3, 1, new byte[] {6})));
    assertThat(recs).hasSize(1);
    assertThat(recs.get(0).data.toByteArray()).containsExactly(5);
    assertThat(recs.get(0).events).containsExactly("fin", "reset", "closed");
    assertThat(p.errors.get(YamuxError.DATA_AFTER_FIN)).isEqualTo(1);
    assertThat(p.server.isOpen()).isTrue();
    p.finish();
  }

  @Test
  void aThrowingHandlerResetsOnlyItsStream() {
    YamuxPair p = new YamuxPair();
    p.server.inboundStreamHandler(
        s -> s.handler(
            new StreamHandler() {
              @Override
              public void onData(MuxedStream st, ByteBuf b) {
                b.release();
                throw new IllegalStateException("boom (expected by the test)");
              }
            }));
    MuxedStream s1 = p.client.openStream().getNow();
    Rec r1 = new Rec();
    s1.handler(r1);
    s1.write(Unpooled.wrappedBuffer(new byte[] {1}));
    p.shuttle();
    assertThat(r1.events).containsExactly("reset", "closed");
    assertThat(p.server.isOpen()).isTrue();
    assertThat(p.client.isOpen()).isTrue();
    assertThat(p.errors.get(YamuxError.HANDLER_FAILED)).isEqualTo(1);
    p.finish();
  }

  @Test
  void truncatedFrameThenCloseLeaksNothing() {
    byte[] f = frame(0, YamuxFrame.SYN, 1, 100, new byte[100]);
    for (int cut = 1; cut < f.length; cut++) {
      YamuxPair p = new YamuxPair();
      p.server.inboundStreamHandler(s -> s.handler(new Rec()));
      p.sch.writeInbound(Unpooled.wrappedBuffer(f, 0, cut));
      p.sch.close();
      assertThat(p.server.isOpen()).isFalse();
      p.finish();
    }
  }

  @Test
  void randomGarbageNeverThrows() {
    Random rnd = new Random(42);
    for (int i = 0; i < 300; i++) {
      byte[] g = new byte[rnd.nextInt(200)];
      rnd.nextBytes(g);
      if (g.length > 0 && rnd.nextBoolean()) {
        g[0] = 0; // valid version more often
      }
      YamuxPair p = new YamuxPair();
      p.server.inboundStreamHandler(s -> s.handler(new Rec()));
      EmbeddedChannel ch = p.sch;
      for (byte[] piece : Splits.randomCut(g, rnd)) {
        if (ch.isActive()) {
          ch.writeInbound(Unpooled.wrappedBuffer(piece));
        }
      }
      ch.checkException();
      p.finish();
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] x : parts) {
      o.writeBytes(x);
    }
    return o.toByteArray();
  }
}
