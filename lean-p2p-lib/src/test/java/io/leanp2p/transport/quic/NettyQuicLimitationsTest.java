package io.leanp2p.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.config.QuicConfig;

/**
 * Minimal demonstrations of what Netty 4.2.18's QUIC cannot do (or does surprisingly), which the
 * transport has to live with. If one of these starts failing after a Netty upgrade, revisit the
 * corresponding workaround in {@link QuicTransport} / {@link QuicMuxedStream}.
 */
@Timeout(60)
class NettyQuicLimitationsTest {

  /** No API sends a QUIC PING frame (quiche's send_ack_eliciting is not bound): keep-alive needs a hook. */
  @Test
  void quicChannelHasNoWayToSendAPingFrame() {
    var names =
        Arrays.stream(QuicChannel.class.getMethods())
            .map(Method::getName)
            .map(n -> n.toLowerCase(Locale.ROOT))
            .filter(n -> n.contains("ping") || n.contains("eliciting") || n.contains("keepalive"))
            .toList();
    assertThat(names).isEmpty();
  }

  /**
   * {@code QuicStreamChannel.shutdownOutput()} hands the FIN to quiche immediately, overtaking
   * writes that are still queued (beyond the congestion/flow window): the peer sees a truncated
   * stream. QuicMuxedStream.closeWrite() therefore writes an empty FIN frame through the queue.
   */
  @Test
  void shutdownOutputOvertakesQueuedWritesButAQueuedFinFrameDoesNot() throws Exception {
    try (QuicNode a = new QuicNode(QuicConfig.defaults());
        QuicNode b = new QuicNode(QuicConfig.defaults())) {
      Connection ca = a.dial(b, b.listen());
      byte[] payload = new byte[1 << 20];
      new Random(1).nextBytes(payload);

      // raw Netty: write 1 MiB, then shutdownOutput()
      CompletableFuture<Long> raw = new CompletableFuture<>();
      a.openProtocol(ca, QuicNode.ECHO)
          .addListener(
              f -> {
                MuxedStream s = (MuxedStream) f.getNow();
                s.handler(
                    new StreamHandler() {
                      long n;

                      @Override
                      public void onData(MuxedStream st, ByteBuf data) {
                        n += data.readableBytes();
                        data.release();
                      }

                      @Override
                      public void onRemoteClose(MuxedStream st) {
                        raw.complete(n);
                      }
                    });
                QuicStreamChannel ch = ((QuicMuxedStream) s).channel();
                ch.writeAndFlush(ch.alloc().buffer().writeBytes(payload));
                ch.shutdownOutput();
              });
      long echoed = raw.get(30, TimeUnit.SECONDS);
      assertThat(echoed).isLessThan(payload.length);

      // our closeWrite(): everything arrives
      QuicNode.Echoed whole = a.echo(ca, payload).get(30, TimeUnit.SECONDS);
      assertThat(whole.bytes()).isEqualTo(payload.length);
      assertThat(whole.sha256()).isEqualTo(QuicNode.sha256(payload));
    }
  }
}
