package io.leanp2p.config;

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
 * @param maxWindow the receive window a stream may grow to (auto-tuning, as go-yamux and
 *     rust-yamux do): when the application consumed half the window within {@link
 *     #AUTO_TUNE_NANOS} of the previous credit, the window, not the reader, limits throughput, so
 *     the credit doubles the window. Memory per stream stays bounded by this value; set it to
 *     {@code initialWindow} for fixed windows
 */
public record YamuxConfig(
    int initialWindow,
    int maxStreams,
    int maxUnackedInbound,
    int maxUnackedOutbound,
    int maxFrameData,
    int maxSendFrame,
    long maxPendingWriteBytes,
    int writeHighWater,
    int maxWindow) {
  /** The spec's initial window. */
  public static final int SPEC_WINDOW = 256 * 1024;

  /** Half a window consumed faster than this after the previous credit grows the window. */
  public static final long AUTO_TUNE_NANOS = 10_000_000L;

  public YamuxConfig {
    if (initialWindow < SPEC_WINDOW || maxStreams <= 0 || maxUnackedInbound <= 0
        || maxUnackedOutbound <= 0 || maxFrameData < SPEC_WINDOW || maxSendFrame <= 0
        || maxPendingWriteBytes <= 0 || writeHighWater <= 0 || maxWindow < initialWindow) {
      throw new IllegalArgumentException("bad yamux config");
    }
  }

  public static YamuxConfig defaults() {
    return new YamuxConfig(
        SPEC_WINDOW, 1024, 256, 256, 16 * 1024 * 1024, 64 * 1024, 64L * 1024 * 1024, 256 * 1024,
        8 * 1024 * 1024);
  }

  public YamuxConfig withInitialWindow(int w) {
    return new YamuxConfig(
        w, maxStreams, maxUnackedInbound, maxUnackedOutbound, Math.max(maxFrameData, w),
        maxSendFrame, maxPendingWriteBytes, writeHighWater, Math.max(maxWindow, w));
  }

  public YamuxConfig withMaxStreams(int n) {
    return new YamuxConfig(
        initialWindow, n, maxUnackedInbound, maxUnackedOutbound, maxFrameData, maxSendFrame,
        maxPendingWriteBytes, writeHighWater, maxWindow);
  }

  /** The same limits with the window auto-tuning up to {@code w} ({@code initialWindow}: fixed). */
  public YamuxConfig withMaxWindow(int w) {
    return new YamuxConfig(
        initialWindow, maxStreams, maxUnackedInbound, maxUnackedOutbound, Math.max(maxFrameData, w),
        maxSendFrame, maxPendingWriteBytes, writeHighWater, w);
  }
}
