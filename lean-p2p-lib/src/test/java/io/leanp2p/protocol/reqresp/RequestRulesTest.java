package io.leanp2p.protocol.reqresp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.testing.VirtualScheduler;
import org.junit.jupiter.api.Test;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;

class RequestRulesTest {
  @Test
  void protocolIds() {
    for (LeanProtocol p : LeanProtocol.values()) {
      assertThat(LeanProtocol.fromId(p.id())).contains(p);
    }
    assertThat(LeanProtocol.BLOCKS_BY_RANGE.id()).isEqualTo("/leanconsensus/req/blocks_by_range/1/ssz_snappy");
    assertThat(LeanProtocol.fromId("/eth2/beacon_chain/req/status/1/ssz_snappy")).isEmpty();
  }

  @Test
  void chunkCapsAndSpecMessages() throws Exception {
    assertThat(RequestRules.maxChunks(LeanProtocol.STATUS, new byte[80])).isEqualTo(1);
    assertThat(RequestRules.maxChunks(LeanProtocol.BLOCKS_BY_ROOT, ReqRespTest.roots(0))).isZero();
    assertThat(RequestRules.maxChunks(LeanProtocol.BLOCKS_BY_ROOT, ReqRespTest.roots(1024))).isEqualTo(1024);
    assertThat(RequestRules.maxChunks(LeanProtocol.BLOCKS_BY_RANGE, ReqRespTest.range(5, 64))).isEqualTo(64);
    assertThat(RequestRules.maxChunks(LeanProtocol.BLOCKS_BY_RANGE, ReqRespTest.range(0, 1024))).isEqualTo(1024);
    assertInvalid(LeanProtocol.STATUS, new byte[81], "Invalid Status message");
    assertInvalid(LeanProtocol.BLOCKS_BY_ROOT, ReqRespTest.roots(1025), "Invalid BlocksByRootRequest message");
    assertInvalid(LeanProtocol.BLOCKS_BY_ROOT, new byte[] {4, 0, 0}, "Invalid BlocksByRootRequest message");
    byte[] badOffset = ReqRespTest.roots(1);
    badOffset[0] = 8;
    assertInvalid(LeanProtocol.BLOCKS_BY_ROOT, badOffset, "Invalid BlocksByRootRequest message");
    assertInvalid(LeanProtocol.BLOCKS_BY_ROOT, new byte[4 + 33], "Invalid BlocksByRootRequest message");
    assertInvalid(LeanProtocol.BLOCKS_BY_RANGE, new byte[17], "Invalid BlocksByRangeRequest message");
    assertInvalid(LeanProtocol.BLOCKS_BY_RANGE, ReqRespTest.range(0, 0), "Invalid count");
    assertInvalid(LeanProtocol.BLOCKS_BY_RANGE, ReqRespTest.range(0, 1025), "Invalid count");
    assertInvalid(LeanProtocol.BLOCKS_BY_RANGE, ReqRespTest.range(0, -1), "Invalid count");
    assertThat(RequestRules.maxRequestSize(LeanProtocol.BLOCKS_BY_ROOT)).isEqualTo(4 + 32 * 1024);
  }

  private static void assertInvalid(LeanProtocol p, byte[] ssz, String message) {
    assertThatThrownBy(() -> RequestRules.maxChunks(p, ssz))
        .isInstanceOf(RequestRules.Invalid.class)
        .hasMessage(message);
  }

  @Test
  void tokenBucketRefillsOnInjectedTime() {
    VirtualScheduler s = new VirtualScheduler();
    TokenBucket b = new TokenBucket(new ReqRespConfig.RateLimit(10, 2), s.nanoTime());
    assertThat(b.tryTake(10, s.nanoTime())).isTrue();
    assertThat(b.tryTake(1, s.nanoTime())).isFalse();
    s.advanceMillis(499);
    assertThat(b.tryTake(1, s.nanoTime())).isFalse();
    s.advanceMillis(1);
    assertThat(b.tryTake(1, s.nanoTime())).isTrue();
    s.advanceMillis(60_000);
    assertThat(b.tryTake(11, s.nanoTime())).isFalse(); // capped at capacity
    assertThat(b.tryTake(10, s.nanoTime())).isTrue();
    b.giveBack(3);
    assertThat(b.tryTake(3, s.nanoTime())).isTrue();
  }

  @Test
  void configValidatesItsLimits() {
    assertThatThrownBy(() -> ReqRespConfig.leanDefaults().withMaxConcurrentPerPeer(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReqRespConfig.leanDefaults().withRequestTimeout(java.time.Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    var d = ReqRespConfig.leanDefaults();
    assertThat(d.requestTimeout()).hasSeconds(10);
    assertThat(d.maxConcurrentPerPeer()).isEqualTo(2);
    assertThat(d.maxPayload()).isEqualTo(10 * 1024 * 1024);
  }
}
