package io.leanp2p.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MemoryStreamsTest {

  /** Records everything a handler sees. */
  static class Recorder implements StreamHandler {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<Integer> pieceSizes = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    int writabilityChanges;

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      try {
        pieceSizes.add(data.readableBytes());
        byte[] b = new byte[data.readableBytes()];
        data.readBytes(b);
        bytes.writeBytes(b);
      } finally {
        data.release();
      }
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {
      events.add("fin");
    }

    @Override
    public void onReset(MuxedStream stream, String reason) {
      events.add("reset");
    }

    @Override
    public void onWritabilityChanged(MuxedStream stream) {
      writabilityChanges++;
    }

    @Override
    public void onClosed(MuxedStream stream) {
      events.add("closed");
    }
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static ByteBuf buf(byte[] b) {
    return Unpooled.wrappedBuffer(b);
  }

  @Test
  void randomFragmentationPreservesOrderAndFin() {
    VirtualScheduler s = new VirtualScheduler();
    var p = MemoryStreams.pair(s, MemoryStreams.Options.defaults().randomPieces(42, 7).window(1 << 20));
    Recorder r = new Recorder();
    p.listener().handler(r);
    byte[] data = random(5000, 1);
    p.dialer().write(buf(data));
    p.dialer().closeWrite();
    s.runDue();
    assertThat(r.bytes.toByteArray()).isEqualTo(data);
    assertThat(r.pieceSizes).allMatch(n -> n <= 7);
    assertThat(r.pieceSizes.size()).isGreaterThan(5000 / 7);
    assertThat(r.events).containsExactly("fin");
    assertThat(p.listener().remoteClosed()).isTrue();
  }

  @Test
  void fixedPiecesAndFinBothWaysCloses() {
    VirtualScheduler s = new VirtualScheduler();
    var p = MemoryStreams.pair(s, MemoryStreams.Options.defaults().fixedPieces(3));
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    p.dialer().handler(a);
    p.listener().handler(b);
    p.dialer().write(buf(new byte[] {1, 2, 3, 4, 5, 6, 7}));
    p.dialer().closeWrite();
    s.runDue();
    assertThat(b.pieceSizes).containsExactly(3, 3, 1);
    assertThat(a.events).isEmpty();
    assertThat(p.dialer().write(buf(new byte[] {1})).isSuccess()).isFalse();
    p.listener().write(buf(new byte[] {9}));
    p.listener().closeWrite();
    s.runDue();
    assertThat(a.bytes.toByteArray()).containsExactly(9);
    assertThat(a.events).containsExactly("fin", "closed");
    assertThat(b.events).containsExactly("fin", "closed");
  }

  @Test
  void dataBeforeHandlerIsHeldThenDelivered() {
    VirtualScheduler s = new VirtualScheduler();
    var p = MemoryStreams.pair(s);
    p.dialer().write(buf(new byte[] {1, 2}));
    p.dialer().closeWrite();
    s.runDue();
    assertThat(p.listener().bytesBuffered()).isEqualTo(2);
    Recorder r = new Recorder();
    p.listener().handler(r);
    s.runDue();
    assertThat(r.bytes.toByteArray()).containsExactly(1, 2);
    assertThat(r.events).containsExactly("fin");
  }

  @Test
  void windowAndPausedReadsDriveWritability() {
    VirtualScheduler s = new VirtualScheduler();
    var p = MemoryStreams.pair(s, MemoryStreams.Options.defaults().window(100));
    Recorder w = new Recorder();
    Recorder r = new Recorder();
    p.dialer().handler(w);
    p.listener().handler(r);
    s.runDue();
    p.listener().setReadPaused(true);
    p.dialer().write(buf(new byte[150]));
    assertThat(p.dialer().isWritable()).isFalse();
    s.runDue();
    assertThat(w.writabilityChanges).isEqualTo(1);
    assertThat(r.bytes.size()).isZero();
    assertThat(p.listener().bytesBuffered()).isEqualTo(150);
    assertThat(p.dialer().isWritable()).isFalse();
    p.listener().setReadPaused(false);
    s.runDue();
    assertThat(r.bytes.size()).isEqualTo(150);
    assertThat(p.dialer().isWritable()).isTrue();
    assertThat(w.writabilityChanges).isEqualTo(2);
    assertThat(p.dialer().bytesInFlight()).isZero();
  }

  @Test
  void resetDropsInFlightDataAndNotifiesBothSidesOnce() {
    VirtualScheduler s = new VirtualScheduler();
    var p = MemoryStreams.pair(s, MemoryStreams.Options.defaults().latencyMillis(5));
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    p.dialer().handler(a);
    p.listener().handler(b);
    s.runDue();
    p.dialer().write(buf(new byte[64])); // pooled copies in flight: must be released by the reset
    p.dialer().reset();
    p.dialer().reset();
    assertThat(a.events).containsExactly("reset", "closed");
    assertThat(b.events).isEmpty();
    s.advanceMillis(10);
    assertThat(b.events).containsExactly("reset", "closed");
    assertThat(b.bytes.size()).isZero();
    assertThat(p.listener().write(buf(new byte[1])).isSuccess()).isFalse();
  }

  @Test
  void resetFromInsideOnDataStopsDelivery() {
    VirtualScheduler s = new VirtualScheduler();
    var p = MemoryStreams.pair(s, MemoryStreams.Options.defaults().fixedPieces(1));
    List<String> ev = new ArrayList<>();
    p.listener()
        .handler(
            new StreamHandler() {
              @Override
              public void onData(MuxedStream stream, ByteBuf data) {
                data.release();
                ev.add("data");
                stream.reset();
              }

              @Override
              public void onReset(MuxedStream stream, String reason) {
                ev.add("reset");
              }

              @Override
              public void onClosed(MuxedStream stream) {
                ev.add("closed");
              }
            });
    p.dialer().write(buf(new byte[10]));
    s.runDue();
    assertThat(ev).containsExactly("data", "reset", "closed");
    assertThat(p.dialer().isReset()).isTrue();
  }

  @Test
  void connectionPairOpensStreamsAndCloseResetsThem() {
    VirtualScheduler s = new VirtualScheduler();
    var c = MemoryStreams.connections(s, null, null, null, null, null, MemoryStreams.Options.defaults());
    List<MuxedStream> accepted = new ArrayList<>();
    MuxedStream out = c.dialer().openStream().getNow();
    s.runDue();
    c.listener().inboundStreamHandler(accepted::add); // held until now
    assertThat(accepted).hasSize(1);
    Recorder r = new Recorder();
    accepted.get(0).handler(r);
    Recorder o = new Recorder();
    out.handler(o);
    out.write(buf(new byte[] {7}));
    s.runDue();
    assertThat(r.bytes.toByteArray()).containsExactly(7);
    c.dialer().close("bye");
    s.runDue();
    assertThat(o.events).containsExactly("reset", "closed");
    assertThat(r.events).containsExactly("reset", "closed");
    assertThat(c.listener().closeReason().kind()).isEqualTo(CloseReason.Kind.REMOTE_CLOSE);
    assertThat(c.dialer().closeReason().kind()).isEqualTo(CloseReason.Kind.LOCAL_CLOSE);
    assertThat(c.dialer().openStream().isSuccess()).isFalse();
    assertThat(c.listener().closeFuture().isDone()).isTrue();
  }

  @Test
  @Timeout(10)
  void runsOnAPlainSingleThreadLoop() throws Exception {
    DefaultEventLoop loop = new DefaultEventLoop();
    try {
      CompletableFuture<byte[]> got = new CompletableFuture<>();
      byte[] data = random(10_000, 3);
      loop.execute(
          () -> {
            var p =
                MemoryStreams.pair(
                    Scheduler.of(loop), MemoryStreams.Options.defaults().randomPieces(9, 100));
            Recorder r =
                new Recorder() {
                  @Override
                  public void onRemoteClose(MuxedStream stream) {
                    got.complete(bytes.toByteArray());
                  }
                };
            p.listener().handler(r);
            p.dialer().write(buf(data));
            p.dialer().closeWrite();
          });
      assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo(data);
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
