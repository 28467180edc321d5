package io.leanp2p.config;

import java.time.Duration;

/**
 * Limits, windows and timers of the QUIC transport. Defaults are sized for lean's 10 MiB
 * messages: a 16 MiB per-stream window lets one whole message be in flight, a 32 MiB connection
 * window lets two.
 *
 * @param idleTimeout QUIC max_idle_timeout: a connection with no packet from the peer for this long
 *     closes with {@code TIMEOUT} (the negotiated value is the smaller of both sides')
 * @param keepAliveInterval how often an otherwise quiet connection is probed through the
 *     QUIC transport's keep-alive hook; {@link Duration#ZERO} disables it. Must be below idleTimeout
 * @param handshakeTimeout bound on a dial's QUIC + TLS handshake (the dial's own timeout applies
 *     too, whichever is shorter)
 * @param maxInboundStreams concurrent bidirectional streams the peer may open (initial_max_streams_bidi)
 * @param streamWindow per-stream receive window in bytes (initial_max_stream_data_bidi_*)
 * @param connectionWindow per-connection receive window in bytes (initial_max_data)
 * @param maxConnections live connections of this transport (inbound beyond this are closed at once;
 *     dials beyond it are refused)
 * @param maxPendingInboundStreams inbound streams held per connection until an inbound stream
 *     handler is set; more are reset and counted
 * @param socketBufferBytes SO_RCVBUF / SO_SNDBUF of the UDP sockets (the kernel caps it at
 *     net.core.rmem_max / wmem_max); small buffers drop bursts and collapse QUIC's congestion window
 */
public record QuicConfig(
    Duration idleTimeout,
    Duration keepAliveInterval,
    Duration handshakeTimeout,
    long maxInboundStreams,
    long streamWindow,
    long connectionWindow,
    int maxConnections,
    int maxPendingInboundStreams,
    int socketBufferBytes) {

  /** 10 MiB: lean's maximum message payload. */
  public static final long MAX_MESSAGE = 10L * 1024 * 1024;

  public QuicConfig {
    requirePositive(idleTimeout, "idleTimeout");
    requirePositive(handshakeTimeout, "handshakeTimeout");
    if (keepAliveInterval == null || keepAliveInterval.isNegative()) {
      throw new IllegalArgumentException("keepAliveInterval must be >= 0");
    }
    if (!keepAliveInterval.isZero() && keepAliveInterval.compareTo(idleTimeout) >= 0) {
      throw new IllegalArgumentException("keepAliveInterval must be below idleTimeout");
    }
    if (maxInboundStreams < 1 || maxInboundStreams > (1L << 60)) {
      throw new IllegalArgumentException("maxInboundStreams out of range: " + maxInboundStreams);
    }
    if (streamWindow < 1 || connectionWindow < streamWindow) {
      throw new IllegalArgumentException("need 0 < streamWindow <= connectionWindow");
    }
    if (socketBufferBytes < 1024) {
      throw new IllegalArgumentException("socketBufferBytes must be >= 1024");
    }
    if (maxConnections < 1 || maxPendingInboundStreams < 0) {
      throw new IllegalArgumentException("maxConnections >= 1, maxPendingInboundStreams >= 0");
    }
  }

  /**
   * Lean defaults: idle 30 s, keep-alive 10 s, handshake 5 s, 256 streams, 16/32 MiB windows, 1024
   * connections, 64 pending inbound streams, 4 MiB socket buffers.
   */
  public static QuicConfig defaults() {
    return new QuicConfig(
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        Duration.ofSeconds(5),
        256,
        16L * 1024 * 1024,
        32L * 1024 * 1024,
        1024,
        64,
        4 * 1024 * 1024);
  }

  public QuicConfig withIdleTimeout(Duration d) {
    return new QuicConfig(d, keepAliveInterval, handshakeTimeout, maxInboundStreams, streamWindow,
        connectionWindow, maxConnections, maxPendingInboundStreams, socketBufferBytes);
  }

  public QuicConfig withKeepAliveInterval(Duration d) {
    return new QuicConfig(idleTimeout, d, handshakeTimeout, maxInboundStreams, streamWindow,
        connectionWindow, maxConnections, maxPendingInboundStreams, socketBufferBytes);
  }

  public QuicConfig withHandshakeTimeout(Duration d) {
    return new QuicConfig(idleTimeout, keepAliveInterval, d, maxInboundStreams, streamWindow,
        connectionWindow, maxConnections, maxPendingInboundStreams, socketBufferBytes);
  }

  public QuicConfig withMaxInboundStreams(long n) {
    return new QuicConfig(idleTimeout, keepAliveInterval, handshakeTimeout, n, streamWindow,
        connectionWindow, maxConnections, maxPendingInboundStreams, socketBufferBytes);
  }

  public QuicConfig withWindows(long stream, long connection) {
    return new QuicConfig(idleTimeout, keepAliveInterval, handshakeTimeout, maxInboundStreams,
        stream, connection, maxConnections, maxPendingInboundStreams, socketBufferBytes);
  }

  public QuicConfig withMaxConnections(int n) {
    return new QuicConfig(idleTimeout, keepAliveInterval, handshakeTimeout, maxInboundStreams,
        streamWindow, connectionWindow, n, maxPendingInboundStreams, socketBufferBytes);
  }

  public QuicConfig withSocketBufferBytes(int n) {
    return new QuicConfig(idleTimeout, keepAliveInterval, handshakeTimeout, maxInboundStreams,
        streamWindow, connectionWindow, maxConnections, maxPendingInboundStreams, n);
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0");
    }
  }
}
