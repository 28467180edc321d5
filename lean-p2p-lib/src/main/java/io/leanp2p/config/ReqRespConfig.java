package io.leanp2p.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Every limit and timer of {@code ReqResp}, with lean defaults in {@link #leanDefaults()}.
 *
 * @param requestTimeout whole-exchange deadline of an outbound request: open, negotiate, write,
 *     read every chunk (lean {@code REQUEST_TIMEOUT_SECONDS} = 10 s)
 * @param maxConcurrentPerPeer outbound requests in flight per peer; more are refused up front
 *     (lean sync: 2)
 * @param maxPayload largest request or response payload (uncompressed SSZ), both directions (10
 *     MiB)
 * @param responderIdleTimeout an inbound request whose bytes do not complete, or whose channel
 *     sees no host call and no write progress, within this time is ended: the remote gets
 *     SERVER_ERROR (or a reset if nothing can be written)
 * @param maxInboundPerPeer inbound requests being read or answered per peer; more are reset
 * @param maxInboundTotal inbound requests being read or answered in total; more are reset
 * @param requestRate per peer and protocol: token bucket of inbound requests
 * @param blockRate per peer and protocol (blocks_by_root, blocks_by_range): token bucket of
 *     requested blocks (roots asked, or range count)
 * @param maxQueuedBytesPerChannel response bytes a channel holds before its stream takes them (the
 *     one bound of the channel's queue, see the req/resp
 *     service's response channels); beyond it sending a chunk answers {@code QUEUE_FULL}. A single chunk always fits an
 *     empty queue.
 * @param opaqueStatus accept any Status payload instead of an SSZ {@code Status} (test services)
 */
public record ReqRespConfig(
    Duration requestTimeout,
    int maxConcurrentPerPeer,
    int maxPayload,
    Duration responderIdleTimeout,
    int maxInboundPerPeer,
    int maxInboundTotal,
    RateLimit requestRate,
    RateLimit blockRate,
    long maxQueuedBytesPerChannel,
    boolean opaqueStatus) {

  /** Lean {@code MAX_PAYLOAD_SIZE}. */
  public static final int MAX_PAYLOAD = 10 * 1024 * 1024;


  /**
   * A token bucket: holds at most {@code capacity} tokens, refilled continuously at {@code
   * perSecond}; a request takes its cost from it or is refused.
   */
  public record RateLimit(long capacity, long perSecond) {
    public RateLimit {
      if (capacity < 1 || perSecond < 0) {
        throw new IllegalArgumentException("capacity >= 1 and perSecond >= 0 required");
      }
    }

    /** A bucket so large it never refuses. */
    public static RateLimit unlimited() {
      return new RateLimit(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
    }
  }

  public ReqRespConfig {
    Objects.requireNonNull(requestTimeout);
    Objects.requireNonNull(responderIdleTimeout);
    Objects.requireNonNull(requestRate);
    Objects.requireNonNull(blockRate);
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive");
    }
    if (responderIdleTimeout.isNegative() || responderIdleTimeout.isZero()) {
      throw new IllegalArgumentException("responderIdleTimeout must be positive");
    }
    if (maxConcurrentPerPeer < 1 || maxInboundPerPeer < 1 || maxInboundTotal < 1) {
      throw new IllegalArgumentException("concurrency limits must be >= 1");
    }
    if (maxPayload < 1 || maxPayload > MAX_PAYLOAD) {
      throw new IllegalArgumentException("maxPayload must be in [1, " + MAX_PAYLOAD + "]");
    }
    if (maxQueuedBytesPerChannel < 1) {
      throw new IllegalArgumentException("maxQueuedBytesPerChannel must be >= 1");
    }
  }

  /**
   * Lean defaults: 10 s request timeout, 2 concurrent requests per peer, 10 MiB payloads, 10 s
   * responder idle timeout, 8 inbound requests per peer and 256 in total, 32 requests per peer and
   * protocol with 4 more per second, 2048 blocks per peer and protocol with 256 more per second
   * (two full ranges at once, a full range every 4 s), 4 MiB queued per response channel.
   */
  public static ReqRespConfig leanDefaults() {
    return new ReqRespConfig(
        Duration.ofSeconds(10),
        2,
        MAX_PAYLOAD,
        Duration.ofSeconds(10),
        8,
        256,
        new RateLimit(32, 4),
        new RateLimit(2048, 256),
        4L * 1024 * 1024,
        false);
  }

  public ReqRespConfig withRequestTimeout(Duration d) {
    return new ReqRespConfig(d, maxConcurrentPerPeer, maxPayload, responderIdleTimeout,
        maxInboundPerPeer, maxInboundTotal, requestRate, blockRate, maxQueuedBytesPerChannel, opaqueStatus);
  }

  public ReqRespConfig withMaxConcurrentPerPeer(int n) {
    return new ReqRespConfig(requestTimeout, n, maxPayload, responderIdleTimeout,
        maxInboundPerPeer, maxInboundTotal, requestRate, blockRate, maxQueuedBytesPerChannel, opaqueStatus);
  }

  public ReqRespConfig withResponderIdleTimeout(Duration d) {
    return new ReqRespConfig(requestTimeout, maxConcurrentPerPeer, maxPayload, d,
        maxInboundPerPeer, maxInboundTotal, requestRate, blockRate, maxQueuedBytesPerChannel, opaqueStatus);
  }

  public ReqRespConfig withInboundLimits(int perPeer, int total) {
    return new ReqRespConfig(requestTimeout, maxConcurrentPerPeer, maxPayload,
        responderIdleTimeout, perPeer, total, requestRate, blockRate, maxQueuedBytesPerChannel, opaqueStatus);
  }

  public ReqRespConfig withRateLimits(RateLimit requests, RateLimit blocks) {
    return new ReqRespConfig(requestTimeout, maxConcurrentPerPeer, maxPayload,
        responderIdleTimeout, maxInboundPerPeer, maxInboundTotal, requests, blocks,
        maxQueuedBytesPerChannel, opaqueStatus);
  }

  public ReqRespConfig withMaxQueuedBytesPerChannel(long n) {
    return new ReqRespConfig(requestTimeout, maxConcurrentPerPeer, maxPayload,
        responderIdleTimeout, maxInboundPerPeer, maxInboundTotal, requestRate, blockRate, n, opaqueStatus);
  }

  /**
   * With {@code true}, Status requests are not checked as SSZ {@code Status} (any payload up to
   * {@code maxPayload}, answered by the host): for test services such as {@code lean-p2p peer},
   * which echo arbitrary payloads. Off in the lean defaults.
   */
  public ReqRespConfig withOpaqueStatus(boolean opaque) {
    return new ReqRespConfig(requestTimeout, maxConcurrentPerPeer, maxPayload,
        responderIdleTimeout, maxInboundPerPeer, maxInboundTotal, requestRate, blockRate,
        maxQueuedBytesPerChannel, opaque);
  }
}
