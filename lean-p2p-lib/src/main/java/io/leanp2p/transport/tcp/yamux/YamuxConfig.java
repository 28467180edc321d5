package io.leanp2p.transport.tcp.yamux;

/**
 * Limits of one Yamux session.
 *
 * @param initialWindow receive window per stream, credited back as the application consumes
 *     (spec default 256 KiB; the send window starts at 256 KiB whatever this is)
 * @param maxStreams open streams per connection (both directions); more inbound are RST
 * @param maxUnackedInbound inbound streams not yet accepted by the application (SYN not ACKed)
 * @param maxUnackedOutbound outbound streams whose SYN the remote has not ACKed yet
 * @param maxFrameData largest data frame accepted (also bounded by the window)
 * @param maxSendFrame largest data frame we send
 * @param maxPendingWriteBytes bytes queued per stream waiting for the remote's window
 * @param writeHighWater per-stream queued bytes above which the stream reports unwritable
 */
public record YamuxConfig(
    int initialWindow,
    int maxStreams,
    int maxUnackedInbound,
    int maxUnackedOutbound,
    int maxFrameData,
    int maxSendFrame,
    long maxPendingWriteBytes,
    int writeHighWater) {
  /** The spec's initial window. */
  public static final int SPEC_WINDOW = 256 * 1024;

  public YamuxConfig {
    if (initialWindow < SPEC_WINDOW || maxStreams <= 0 || maxUnackedInbound <= 0
        || maxUnackedOutbound <= 0 || maxFrameData < SPEC_WINDOW || maxSendFrame <= 0
        || maxPendingWriteBytes <= 0 || writeHighWater <= 0) {
      throw new IllegalArgumentException("bad yamux config");
    }
  }

  public static YamuxConfig defaults() {
    return new YamuxConfig(
        SPEC_WINDOW, 1024, 256, 256, 16 * 1024 * 1024, 64 * 1024, 64L * 1024 * 1024, 256 * 1024);
  }

  public YamuxConfig withInitialWindow(int w) {
    return new YamuxConfig(
        w, maxStreams, maxUnackedInbound, maxUnackedOutbound, Math.max(maxFrameData, w),
        maxSendFrame, maxPendingWriteBytes, writeHighWater);
  }

  public YamuxConfig withMaxStreams(int n) {
    return new YamuxConfig(
        initialWindow, n, maxUnackedInbound, maxUnackedOutbound, maxFrameData, maxSendFrame,
        maxPendingWriteBytes, writeHighWater);
  }
}
