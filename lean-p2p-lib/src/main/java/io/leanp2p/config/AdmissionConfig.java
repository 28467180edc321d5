package io.leanp2p.config;

import java.time.Duration;

/**
 * Limits on inbound connections before they are authenticated ("pending": accepted by TCP or
 * begun by a QUIC Initial packet, Noise / TLS and the muxer not finished yet), applied by the
 * transport's inbound admission at accept. Defaults and the reasons for them are in {@code docs/security.md}.
 *
 * @param maxPending pending inbound connections in total (TCP + QUIC); at the limit the oldest
 *     pending connection is closed to make room for the new one, so that connections that stall
 *     cannot keep newcomers out (js-libp2p refuses newcomers at its limit of 10 instead)
 * @param maxPendingPerIp pending inbound connections from one IP (IPv6: one /56); more are
 *     refused (go-libp2p allows 8 connections per IPv4 address, js-libp2p 10 pending in total)
 * @param newPerIpPerSecond new inbound connections accepted per IP (IPv6: /56) per second, a token
 *     bucket (js-libp2p: 5 per second per host)
 * @param burstPerIp the bucket's size: new connections from one IP accepted at once
 * @param firstByteTimeout a TCP connection that sends nothing for this long after accept is
 *     closed (an honest dialer speaks first, at once)
 * @param pendingTimeout an inbound connection not upgraded within this (TCP: Noise and Yamux
 *     ready; QUIC: TLS done) is closed
 * @param exemptLoopback whether connections from loopback addresses skip the per-IP limits (as in
 *     go-libp2p: local devnets run every node on 127.0.0.1); they still count toward {@code
 *     maxPending}
 * @param maxTrackedIps IPs whose rate bucket is remembered; when full, buckets that have refilled
 *     are forgotten, and if none has, new IPs are refused until some have
 */
public record AdmissionConfig(
    int maxPending,
    int maxPendingPerIp,
    double newPerIpPerSecond,
    int burstPerIp,
    Duration firstByteTimeout,
    Duration pendingTimeout,
    boolean exemptLoopback,
    int maxTrackedIps) {

  public AdmissionConfig {
    if (maxPending < 1 || maxPendingPerIp < 1 || !(newPerIpPerSecond > 0) || burstPerIp < 1 || maxTrackedIps < 1) {
      throw new IllegalArgumentException("admission limits must be positive");
    }
    if (firstByteTimeout == null || firstByteTimeout.isNegative() || firstByteTimeout.isZero()
        || pendingTimeout == null || pendingTimeout.isNegative() || pendingTimeout.isZero()) {
      throw new IllegalArgumentException("admission timeouts must be > 0");
    }
  }

  /**
   * 64 pending (oldest evicted), 8 pending per IP, 5 new connections per IP per second with a
   * burst of 10, 3 s to the first byte, 10 s to an upgraded connection, loopback exempt, 10,000
   * tracked IPs.
   */
  public static AdmissionConfig defaults() {
    return new AdmissionConfig(64, 8, 5.0, 10, Duration.ofSeconds(3), Duration.ofSeconds(10), true, 10_000);
  }

  public AdmissionConfig withMaxPending(int total, int perIp) {
    return new AdmissionConfig(total, perIp, newPerIpPerSecond, burstPerIp, firstByteTimeout, pendingTimeout,
        exemptLoopback, maxTrackedIps);
  }

  public AdmissionConfig withRate(double perSecond, int burst) {
    return new AdmissionConfig(maxPending, maxPendingPerIp, perSecond, burst, firstByteTimeout, pendingTimeout,
        exemptLoopback, maxTrackedIps);
  }

  public AdmissionConfig withTimeouts(Duration firstByte, Duration pending) {
    return new AdmissionConfig(maxPending, maxPendingPerIp, newPerIpPerSecond, burstPerIp, firstByte, pending,
        exemptLoopback, maxTrackedIps);
  }

  public AdmissionConfig withExemptLoopback(boolean exempt) {
    return new AdmissionConfig(maxPending, maxPendingPerIp, newPerIpPerSecond, burstPerIp, firstByteTimeout,
        pendingTimeout, exempt, maxTrackedIps);
  }
}
