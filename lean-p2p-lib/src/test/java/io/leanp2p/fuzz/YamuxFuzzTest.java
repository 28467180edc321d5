package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.ConnectionInfo;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.EnumCounters;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.config.YamuxConfig;
import io.leanp2p.transport.tcp.yamux.YamuxError;
import io.leanp2p.transport.tcp.yamux.YamuxFrame;
import io.leanp2p.transport.tcp.yamux.YamuxSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A Yamux session (the whole state machine: stream opening, windows, FIN / RST, ping, GoAway)
 * fed frames by a remote. Local streams read, echo, half-close and reset as the input dictates.
 * The session must never throw (an exception would surface as an {@code IO_ERROR} close), keep
 * its stream limit, write only well-formed frames, and release every buffer.
 */
class YamuxFuzzTest {
  private static final YamuxConfig CONFIG = YamuxConfig.defaults().withMaxStreams(8);

  /** Raw bytes, to a session we accepted and to one we dialed: header parsing and all it reaches. */
  @FuzzTest
  void raw(byte[] in) {
    run(in, Direction.INBOUND);
    run(in, Direction.OUTBOUND);
  }

  /** Frames with valid headers built from the input: gets to the stream state machine at once. */
  @FuzzTest
  void frames(FuzzedDataProvider data) {
    Direction dir = data.consumeBoolean() ? Direction.INBOUND : Direction.OUTBOUND;
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    int n = data.consumeInt(0, 48);
    for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
      int type = data.consumeInt(0, 3);
      int flags = data.consumeInt(0, 15);
      int stream = data.consumeBoolean() ? data.consumeInt(0, 12) : data.consumeInt();
      long length;
      byte[] payload = new byte[0];
      if (type == YamuxFrame.TYPE_DATA) {
        payload = data.consumeBytes(data.consumeInt(0, 300));
        length = payload.length;
      } else {
        length = data.consumeBoolean() ? data.consumeInt(0, 1 << 20) : data.consumeLong() & 0xFFFFFFFFL;
      }
      ByteBuf h = Unpooled.buffer(YamuxFrame.HEADER);
      YamuxFrame.writeHeader(h, type, flags, stream, length);
      wire.write(h.array(), 0, YamuxFrame.HEADER);
      h.release();
      wire.writeBytes(payload);
    }
    run(wire.toByteArray(), dir);
  }

  private static void run(byte[] in, Direction dir) {
    EnumCounters<YamuxError> errors = new EnumCounters<>(YamuxError.class);
    YamuxSession session = new YamuxSession(new ConnectionInfo(null, null, null, dir), CONFIG, errors);
    EmbeddedChannel ch = new EmbeddedChannel(session);
    SplittableRandom behaviour = new SplittableRandom(in.length * 31L + (in.length > 0 ? in[in.length - 1] : 0));
    int[] accepted = {0};
    session.inboundStreamHandler(s -> {
      accepted[0]++;
      s.handler(new Local(behaviour.split()));
    });
    if (dir == Direction.OUTBOUND) {
      // we opened streams too: the remote can ACK, send to and reset them
      for (int i = 0; i < 2; i++) {
        session.openStream().addListener(f -> {
          if (f.isSuccess()) {
            ((MuxedStream) f.getNow()).handler(new Local(behaviour.split()));
          }
        });
      }
    }
    List<ByteBuf> bufs = FuzzSupport.buffers(in, 257);
    for (ByteBuf b : bufs) {
      if (!ch.isOpen()) {
        b.release();
        continue;
      }
      ch.writeInbound(b);
      ch.checkException();
      assertThat(session.streamCount()).isLessThanOrEqualTo(CONFIG.maxStreams());
      checkOutbound(ch);
      ch.runPendingTasks();
    }
    CloseReason r = ChannelCloseReason.get(ch);
    if (r != null) {
      assertThat(r.kind()).as("close reason " + r).isIn(CloseReason.Kind.PROTOCOL_ERROR, CloseReason.Kind.REMOTE_CLOSE);
    }
    assertThat((Object) ch.readInbound()).isNull();
    ch.close();
    checkOutbound(ch);
    ch.checkException();
    ch.finishAndReleaseAll();
    FuzzSupport.assertReleased(bufs, "yamux session");
    assertThat(session.isOpen()).isFalse();
  }

  /** Every frame we write has version 0, a known type, and as many payload bytes as it says. */
  private static void checkOutbound(EmbeddedChannel ch) {
    ByteBuf out = Unpooled.buffer();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) o;
      out.writeBytes(b);
      b.release();
    }
    try {
      while (out.readableBytes() >= YamuxFrame.HEADER) {
        assertThat(out.readUnsignedByte()).isEqualTo((short) YamuxFrame.VERSION);
        int type = out.readUnsignedByte();
        assertThat(type).isBetween(0, 3);
        out.skipBytes(6);
        long len = out.readUnsignedInt();
        if (type == YamuxFrame.TYPE_DATA) {
          assertThat(out.readableBytes()).isGreaterThanOrEqualTo((int) len);
          out.skipBytes((int) len);
        }
      }
      assertThat(out.readableBytes()).as("a partial frame written").isZero();
    } finally {
      out.release();
    }
  }

  /** A local protocol: consumes, echoes, half-closes or resets, as its random source says. */
  private static final class Local implements StreamHandler {
    private final SplittableRandom r;

    Local(SplittableRandom r) {
      this.r = r;
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      switch (r.nextInt(8)) {
        case 0 -> s.write(data); // echo: ownership passes
        case 1 -> {
          data.release();
          s.reset();
        }
        case 2 -> {
          data.release();
          s.closeWrite();
        }
        case 3 -> {
          data.release();
          s.setReadPaused(r.nextBoolean());
        }
        default -> data.release();
      }
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      if (r.nextBoolean()) {
        s.closeWrite();
      }
    }
  }
}
