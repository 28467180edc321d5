package io.leanp2p.protocol.reqresp;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.protocol.reqresp.ReqRespHarness.Node;
import io.leanp2p.testing.MemoryStreams;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;

/** Seeded garbage on the wire, both directions: always one outcome, never a hang or a leak. */
@Timeout(60)
class ReqRespGarbageTest {
  static final ReqRespConfig CFG =
      ReqRespConfig.leanDefaults()
          .withInboundLimits(1000, 1000)
          .withRateLimits(ReqRespConfig.RateLimit.unlimited(), ReqRespConfig.RateLimit.unlimited());

  /** Valid chunks, mutated: flipped bytes, truncation, garbage appended, or pure noise. */
  static byte[] garbage(Random rnd) {
    byte[] base =
        switch (rnd.nextInt(3)) {
          case 0 -> SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, ReqRespTest.status(rnd.nextInt()));
          case 1 -> SszSnappy.encodeErrorChunk(ResponseCode.SERVER_ERROR, "boom");
          default -> {
            byte[] b = new byte[rnd.nextInt(64)];
            rnd.nextBytes(b);
            yield b;
          }
        };
    switch (rnd.nextInt(4)) {
      case 0 -> {
        if (base.length > 0) {
          base[rnd.nextInt(base.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
      }
      case 1 -> base = java.util.Arrays.copyOf(base, rnd.nextInt(base.length + 1));
      case 2 -> {
        byte[] tail = new byte[1 + rnd.nextInt(20)];
        rnd.nextBytes(tail);
        byte[] c = java.util.Arrays.copyOf(base, base.length + tail.length);
        System.arraycopy(tail, 0, c, base.length, tail.length);
        base = c;
      }
      default -> {}
    }
    return base;
  }

  @Test
  void garbageResponsesEndEachRequestExactlyOnce() {
    long seed = Long.getLong("reqresp.seed", System.nanoTime());
    System.out.println("garbageResponses seed=" + seed);
    Random rnd = new Random(seed);
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().randomPieces(seed, 16));
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    for (int i = 0; i < 300; i++) {
      h.rawResponder(b, LeanProtocol.STATUS, garbage(rnd), rnd.nextInt(4) != 0);
      a.rr.request(i, b.id, LeanProtocol.STATUS, ReqRespTest.status(i));
      h.sched.runDue();
      h.sched.advanceMillis(10_000); // responders that never FIN: the timeout ends them
      assertThat(a.terminals(i)).as("request %d, seed %d", i, seed).hasSize(1);
      assertThat(a.chunks(i).size()).isLessThanOrEqualTo(1);
    }
    assertThat(a.rr.snapshot().requestsInFlight()).isZero();
  }

  @Test
  void garbageRequestsAreAnsweredOrDroppedAndLeaveNothingBehind() {
    long seed = Long.getLong("reqresp.seed", System.nanoTime());
    System.out.println("garbageRequests seed=" + seed);
    Random rnd = new Random(seed);
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().randomPieces(seed, 16));
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    b.host = (self, ch, peer, p, ssz) -> self.rr.endResponse(ch);
    List<ReqRespHarness.RawClient> clients = new ArrayList<>();
    LeanProtocol[] ps = LeanProtocol.values();
    for (int i = 0; i < 300; i++) {
      LeanProtocol p = ps[rnd.nextInt(ps.length)];
      byte[] valid =
          switch (p) {
            case STATUS -> ReqRespTest.status(i);
            case BLOCKS_BY_ROOT -> ReqRespTest.roots(rnd.nextInt(4));
            case BLOCKS_BY_RANGE -> ReqRespTest.range(i, 1 + rnd.nextInt(8));
          };
      byte[] wire = SszSnappy.encodeRequest(valid);
      if (rnd.nextBoolean()) {
        wire[rnd.nextInt(wire.length)] ^= (byte) (1 << rnd.nextInt(8));
      }
      if (rnd.nextInt(4) == 0) {
        wire = java.util.Arrays.copyOf(wire, rnd.nextInt(wire.length));
      }
      clients.add(h.new RawClient(a, b, p, wire, rnd.nextInt(5) != 0));
    }
    h.sched.runDue();
    h.sched.advanceMillis(30_000); // requests that never complete and never FIN: idle timeout
    for (var c : clients) {
      assertThat(c.fin || c.reset).isTrue();
    }
    var s = b.rr.snapshot();
    assertThat(s.inboundActive()).isZero();
    assertThat(s.channelsOpened() + s.inboundInvalid() + s.inboundReadTimeouts()).isEqualTo(300);
  }
}
