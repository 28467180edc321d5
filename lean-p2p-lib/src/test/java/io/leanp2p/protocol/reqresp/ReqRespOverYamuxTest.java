package io.leanp2p.protocol.reqresp;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.protocol.reqresp.ReqRespHarness.Node;
import io.leanp2p.config.YamuxConfig;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.types.RequestError;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;

/**
 * Java↔Java req/resp over real Yamux sessions (the TCP muxer, with its 256 KiB stream windows) on
 * EmbeddedChannels, with multistream-select, under virtual time.
 */
@Timeout(120)
class ReqRespOverYamuxTest {
  static final ReqRespConfig CFG = ReqRespConfig.leanDefaults();

  @Test
  void blocksByRange1024x100KiBOverYamux() {
    var h = new ReqRespHarness();
    ReqRespConfig cfg = CFG.withMaxQueuedBytesPerChannel(8 * 100 * 1024).withRequestTimeout(Duration.ofSeconds(600));
    Node a = h.node(cfg);
    Node b = h.node(cfg);
    h.connectYamux(a, b, YamuxConfig.defaults());
    int size = 100 * 1024;
    long[] next = {0};
    long[] count = {0};
    long[] channel = {0};
    int[] queueFull = {0};
    Runnable pump =
        () -> {
          while (next[0] < count[0]) {
            ChannelOutcome o = b.rr.sendChunk(channel[0], ReqRespTest.block(next[0], size));
            if (o == ChannelOutcome.QUEUE_FULL) {
              queueFull[0]++;
              return;
            }
            assertThat(o).isEqualTo(ChannelOutcome.OK);
            next[0]++;
          }
          b.rr.endResponse(channel[0]);
        };
    b.host =
        (self, ch, peer, p, ssz) -> {
          assertThat(peer).isEqualTo(a.id);
          channel[0] = ch;
          count[0] = ReqRespTest.rangeCount(ssz);
          pump.run();
        };
    b.onDrained = ch -> pump.run();
    a.recordChunks = false;
    long[] received = {0};
    long[] mismatches = {0};
    a.onChunk =
        (id, ssz) -> {
          if (!Arrays.equals(ssz, ReqRespTest.block(received[0], size))) {
            mismatches[0]++;
          }
          received[0]++;
        };
    assertThat(a.rr.request(1, b.id, LeanProtocol.BLOCKS_BY_RANGE, ReqRespTest.range(0, 1024)))
        .isEqualTo(RequestOutcome.ACCEPTED);
    for (int i = 0; i < 10_000 && a.terminals(1).isEmpty(); i++) {
      h.pump();
      h.sched.advanceMillis(1);
    }
    assertThat(a.terminals(1)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    assertThat(received[0]).isEqualTo(1024);
    assertThat(mismatches[0]).isZero();
    assertThat(queueFull[0]).as("the 256 KiB Yamux window pushed back to the host").isPositive();
    assertThat(b.rr.snapshot().inboundActive()).isZero();
    h.finishYamux();
  }

  @Test
  void statusErrorsAndTimeoutOverYamux() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG.withMaxConcurrentPerPeer(4));
    Node b = h.node(CFG.withResponderIdleTimeout(Duration.ofSeconds(60)));
    h.connectYamux(a, b, YamuxConfig.defaults());
    b.host =
        (self, ch, peer, p, ssz) -> {
          switch (ssz[0]) {
            case 0 -> {
              self.rr.sendChunk(ch, ReqRespTest.status(5));
              self.rr.endResponse(ch);
            }
            case 1 -> self.rr.sendError(ch, ResponseCode.SERVER_ERROR, "Status not available");
            default -> {} // never answers
          }
        };
    for (int i = 0; i < 3; i++) {
      byte[] st = ReqRespTest.status(i);
      st[0] = (byte) i;
      assertThat(a.rr.request(i, b.id, LeanProtocol.STATUS, st)).isEqualTo(RequestOutcome.ACCEPTED);
    }
    h.pump();
    assertThat(a.chunks(0)).hasSize(1);
    assertThat(a.chunks(0).get(0)).isEqualTo(ReqRespTest.status(5));
    assertThat(a.terminals(0)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    assertThat(a.terminals(1).get(0).error().code()).isEqualTo(ResponseCode.SERVER_ERROR);
    assertThat(a.terminals(1).get(0).error().message()).isEqualTo("Status not available");
    assertThat(a.terminals(2)).isEmpty();
    h.advancePumping(10_000, 500);
    assertThat(a.terminals(2)).hasSize(1);
    assertThat(a.terminals(2).get(0).error().kind()).isEqualTo(RequestError.Kind.TIMEOUT);
    // the responder's channel is gone with the reset stream
    assertThat(b.rr.snapshot().inboundActive()).isZero();
    assertThat(b.channelEvents).extracting(ReqRespHarness.Event::kind).anyMatch(k -> k.startsWith("closed:stream reset"));
    h.advancePumping(60_000, 5_000);
    assertThat(a.eventsOf(2)).hasSize(1);
    h.finishYamux();
  }

  @Test
  void aChunkTooManyOverYamuxIsAViolationNotAHang() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connectYamux(a, b, YamuxConfig.defaults());
    byte[] one = SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, ReqRespTest.block(3, 1000));
    byte[] two = new byte[one.length * 2];
    System.arraycopy(one, 0, two, 0, one.length);
    System.arraycopy(one, 0, two, one.length, one.length);
    h.rawResponder(b, LeanProtocol.STATUS, two, false);
    a.rr.request(1, b.id, LeanProtocol.STATUS, ReqRespTest.status(1));
    h.pump();
    assertThat(a.chunks(1)).hasSize(1);
    assertThat(a.terminals(1)).hasSize(1);
    assertThat(a.terminals(1).get(0).error().kind()).isEqualTo(RequestError.Kind.PROTOCOL_VIOLATION);
    h.finishYamux();
  }
}
