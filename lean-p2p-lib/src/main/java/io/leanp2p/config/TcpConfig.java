package io.leanp2p.config;

import java.time.Duration;

/**
 * Settings of the TCP transport.
 *
 * @param upgradeTimeout time from TCP connect to a ready Yamux session (multistream, Noise,
 *     multistream); a peer that stalls in between is dropped with {@code TIMEOUT}
 * @param yamux Yamux limits
 * @param writeBufferLowWater channel low water mark (bytes)
 * @param writeBufferHighWater channel high water mark (bytes)
 */
public record TcpConfig(
    Duration upgradeTimeout, YamuxConfig yamux, int writeBufferLowWater, int writeBufferHighWater) {
  public static TcpConfig defaults() {
    return new TcpConfig(Duration.ofSeconds(10), YamuxConfig.defaults(), 512 * 1024, 2 * 1024 * 1024);
  }

  public TcpConfig withUpgradeTimeout(Duration d) {
    return new TcpConfig(d, yamux, writeBufferLowWater, writeBufferHighWater);
  }

  public TcpConfig withYamux(YamuxConfig y) {
    return new TcpConfig(upgradeTimeout, y, writeBufferLowWater, writeBufferHighWater);
  }
}
