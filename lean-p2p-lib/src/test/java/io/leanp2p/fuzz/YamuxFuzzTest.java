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

  /**
   * Every frame we write has version 0, a known type, and as many payload bytes as it says; what
   * one read made us write ends on a frame boundary. Walks the written buffers in place (a header
   * split across two of them is gathered; payloads are counted, not copied).
   */
  private static void checkOutbound(EmbeddedChannel ch) {
    byte[] header = new byte[YamuxFrame.HEADER];
    int headerFill = 0;
    long payloadLeft = 0;
    Object o;
    while ((o = ch.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) o;
      try {
        int i = b.readerIndex();
        int end = b.writerIndex();
        while (i < end) {
          if (payloadLeft > 0) {
            int n = (int) Math.min(payloadLeft, end - i);
            i += n;
            payloadLeft -= n;
            continue;
          }
          int n = Math.min(YamuxFrame.HEADER - headerFill, end - i);
          b.getBytes(i, header, headerFill, n);
          i += n;
          headerFill += n;
          if (headerFill == YamuxFrame.HEADER) {
            headerFill = 0;
            FuzzSupport.check((header[0] & 0xff) == YamuxFrame.VERSION, "a frame written with another version");
            int type = header[1] & 0xff;
            FuzzSupport.check(type <= 3, "a frame written with an unknown type");
            if (type == YamuxFrame.TYPE_DATA) {
              payloadLeft = ((header[8] & 0xffL) << 24) | ((header[9] & 0xff) << 16) | ((header[10] & 0xff) << 8)
                  | (header[11] & 0xff);
            }
          }
        }
      } finally {
        b.release();
      }
    }
    FuzzSupport.check(headerFill == 0 && payloadLeft == 0, "a partial frame written");
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
