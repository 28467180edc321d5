package io.leanp2p.protocol.reqresp;

import io.leanp2p.config.ReqRespConfig;

/** A lazily refilled token bucket on injected time. Loop-confined; not thread safe. */
final class TokenBucket {
  private final ReqRespConfig.RateLimit limit;
  private double tokens;
  private long lastNanos;

  TokenBucket(ReqRespConfig.RateLimit limit, long nowNanos) {
    this.limit = limit;
    this.tokens = limit.capacity();
    this.lastNanos = nowNanos;
  }

  /** Takes {@code cost} tokens if available; otherwise takes nothing and returns false. */
  boolean tryTake(long cost, long nowNanos) {
    refill(nowNanos);
    if (cost > tokens) {
      return false;
    }
    tokens -= cost;
    return true;
  }

  /** Gives back tokens taken for a request that was then refused by another limit. */
  void giveBack(long cost) {
    tokens = Math.min(limit.capacity(), tokens + cost);
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(limit.capacity(), tokens + elapsed * (limit.perSecond() / 1e9));
      lastNanos = nowNanos;
    }
  }
}
