package io.leanp2p.protocol.reqresp;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.testing.TestNode;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.transport.tcp.TcpTransport;
import io.leanp2p.util.Scheduler;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.types.RequestError;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;

/**
 * Java↔Java req/resp over real TCP on 127.0.0.1 (Noise XX + Yamux + multistream-select), each
 * side on its own event loop in real time.
 */
@Timeout(120)
class ReqRespOverTcpTest {
  static final Duration T = Duration.ofSeconds(10);

  /** A ReqResp wired into a TCP TestNode; its listener forwards to the test's hooks (on the loop). */
  static final class Side implements ReqRespListener, StreamOpener {
    final TestNode<?> node;
    final ReqResp rr;
    volatile ReqRespHarness.Host host = (self, ch, peer, p, ssz) -> {};
    volatile java.util.function.LongConsumer drained = ch -> {};
    final AtomicLong chunks = new AtomicLong();
    final AtomicLong mismatches = new AtomicLong();
    final CompletableFuture<String> terminal = new CompletableFuture<>();
    final AtomicInteger terminals = new AtomicInteger();
    volatile int chunkSize;

    Side(TestNode<?> node, ReqRespConfig cfg) throws Exception {
      this.node = node;
      this.rr =
          node.onLoop(
              () -> {
                ReqResp r = new ReqResp(cfg, Scheduler.of(node.loop), this, this);
                for (LeanProtocol p : LeanProtocol.values()) {
                  node.registry.register(p.id(), r.inboundHandler(p));
                }
                return r;
              });
    }

    @Override
    public void open(PeerId peer, String protocolId, StreamNegotiator.SelectCallback cb) {
      Connection c = node.connection(peer).orElse(null);
      if (c == null) {
        cb.failed(null, "not connected");
        return;
      }
      c.openStream()
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  StreamNegotiator.select(
                      (MuxedStream) f.getNow(), List.of(protocolId), Scheduler.of(node.loop), 5_000, cb);
                } else {
                  cb.failed(null, String.valueOf(f.cause()));
                }
              });
    }

    @Override
    public void onResponseChunk(long requestId, byte[] ssz) {
      long i = chunks.getAndIncrement();
      if (chunkSize > 0 && !Arrays.equals(ssz, ReqRespTest.block(i, chunkSize))) {
        mismatches.incrementAndGet();
      }
    }

    @Override
    public void onEndOfStream(long requestId) {
      terminals.incrementAndGet();
      terminal.complete("eos");
    }

    @Override
    public void onRequestFailed(long requestId, RequestError error) {
      terminals.incrementAndGet();
      terminal.complete(error.toString());
    }

    @Override
    public void onInboundRequest(long channelId, PeerId peer, LeanProtocol p, byte[] ssz) {
      host.onRequest(null, channelId, peer, p, ssz);
    }

    @Override
    public void onChannelDrained(long channelId) {
      drained.accept(channelId);
    }
  }

  @Test
  void blocksByRangeOverTcpWithBackpressureThenATimeout() throws Exception {
    ReqRespConfig cfg = ReqRespConfig.leanDefaults().withMaxQueuedBytesPerChannel(8 * 100 * 1024);
    try (TestNode<TcpTransport> na = TestNode.tcp();
        TestNode<TcpTransport> nb = TestNode.tcp()) {
      Side a = new Side(na, cfg.withRequestTimeout(Duration.ofSeconds(60)));
      Side b = new Side(nb, cfg);
      nb.listen();
      na.await(() -> na.dial(nb.p2pAddr(), T), T);

      int size = 100 * 1024;
      int count = 256;
      long[] next = {0};
      long[] channel = {0};
      AtomicInteger queueFull = new AtomicInteger();
      Runnable pump =
          () -> {
            while (next[0] < count) {
              ChannelOutcome o = b.rr.sendChunk(channel[0], ReqRespTest.block(next[0], size));
              if (o == ChannelOutcome.QUEUE_FULL) {
                queueFull.incrementAndGet();
                return;
              }
              next[0]++;
            }
            b.rr.endResponse(channel[0]);
          };
      b.host =
          (self, ch, peer, p, ssz) -> {
            channel[0] = ch;
            pump.run();
          };
      b.drained = ch -> pump.run();
      a.chunkSize = size;
      RequestOutcome o =
          na.onLoop(() -> a.rr.request(1, nb.id, LeanProtocol.BLOCKS_BY_RANGE, ReqRespTest.range(0, count)));
      assertThat(o).isEqualTo(RequestOutcome.ACCEPTED);
      assertThat(a.terminal.get(60, TimeUnit.SECONDS)).isEqualTo("eos");
      assertThat(a.chunks.get()).isEqualTo(count);
      assertThat(a.mismatches.get()).isZero();
      assertThat(queueFull.get()).as("TCP/Yamux backpressure reached the host").isPositive();

      // a responder that never answers: exactly one timeout, in real time
      Side c = new Side(na, cfg.withRequestTimeout(Duration.ofMillis(500)));
      // (c shares a's node; its registrations replaced a's, which is fine for outbound use)
      b.host = (self, ch, peer, p, ssz) -> {};
      na.onLoop(() -> c.rr.request(2, nb.id, LeanProtocol.STATUS, ReqRespTest.status(1)));
      String t = c.terminal.get(10, TimeUnit.SECONDS);
      assertThat(t).startsWith("TIMEOUT");
      na.onLoop(() -> {
        assertThat(c.rr.snapshot().requestTimeouts()).isEqualTo(1);
        assertThat(c.rr.isInFlight(2)).isFalse();
        c.rr.close(); // would end a still-open request a second time
        return null;
      });
      assertThat(c.terminals.get()).isEqualTo(1);
      nb.onLoop(() -> {
        b.rr.close();
        return null;
      });
      na.onLoop(() -> {
        a.rr.close();
        c.rr.close();
        return null;
      });
    }
  }

  @Test
  void errorCodeOverTcp() throws Exception {
    ReqRespConfig cfg = ReqRespConfig.leanDefaults();
    try (TestNode<TcpTransport> na = TestNode.tcp();
        TestNode<TcpTransport> nb = TestNode.tcp()) {
      Side a = new Side(na, cfg);
      Side b = new Side(nb, cfg);
      nb.listen();
      na.await(() -> na.dial(nb.p2pAddr(), T), T);
      b.host = (self, ch, peer, p, ssz) -> b.rr.sendError(ch, ResponseCode.RESOURCE_UNAVAILABLE, "Requested slot predates history window");
      na.onLoop(() -> a.rr.request(1, nb.id, LeanProtocol.BLOCKS_BY_RANGE, ReqRespTest.range(0, 10)));
      assertThat(a.terminal.get(10, TimeUnit.SECONDS))
          .isEqualTo("WIRE_ERROR(RESOURCE_UNAVAILABLE/3: Requested slot predates history window)");
    }
  }
}
