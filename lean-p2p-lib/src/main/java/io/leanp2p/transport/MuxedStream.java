package io.leanp2p.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.leanp2p.types.Direction;

/**
 * One bidirectional stream of a secured, multiplexed {@link Connection}: a Yamux stream over TCP,
 * or a native QUIC stream. All methods must be called on the connection's event loop.
 *
 * <p>Protocols (multistream-select, identify, ping, gossipsub, req/resp) are written against this
 * interface only, so they run unchanged over both transports.
 */
public interface MuxedStream {
  /** The muxer's stream id (unique within its connection). */
  long id();

  Connection connection();

  /** Whether we opened this stream. */
  Direction direction();

  /**
   * Installs the handler. Data that arrived before a handler was installed is buffered (within the
   * stream's receive window) and delivered right after this call.
   */
  void handler(StreamHandler handler);

  /**
   * Writes and flushes; takes ownership of {@code data} (released even on failure). The future
   * completes when the bytes were handed to the connection, or fails if the stream cannot write
   * (reset, write side closed, connection gone). Callers that produce a lot should respect {@link
   * #isWritable()} and {@link StreamHandler#onWritabilityChanged}.
   */
  Future<Void> write(ByteBuf data);

  /** False while the remote's window / the channel's outbound buffer is full. */
  boolean isWritable();

  /** Half-closes our side (FIN). Further writes fail. Idempotent. */
  void closeWrite();

  /** Aborts both directions (RST / RESET_STREAM + STOP_SENDING). Idempotent. */
  void reset();

  /**
   * Pauses or resumes delivery of inbound data. While paused, arriving bytes are buffered up to the
   * receive window and are not credited back to the remote, so a slow consumer stops the sender.
   */
  void setReadPaused(boolean paused);

  /** The allocator to build outbound buffers with. */
  ByteBufAllocator alloc();
}
