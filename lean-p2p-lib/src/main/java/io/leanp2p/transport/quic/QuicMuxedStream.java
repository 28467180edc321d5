package io.leanp2p.transport.quic;

import io.leanp2p.transport.PipelineErrors;
import io.leanp2p.transport.Connection;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamResetException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A native QUIC bidirectional stream as a {@link MuxedStream}: writes of one event-loop task are
 * flushed together at its end, or as soon as {@link #FLUSH_BYTES} are queued ahead of the newest
 * one, and FIN rides on the last data frame (or an empty FIN frame queued
 * behind the data: Netty's {@code shutdownOutput} would overtake queued writes), the
 * input-shutdown event is {@link StreamHandler#onRemoteClose}; reads are explicit and batched per
 * loop turn ({@link #scheduleReadDrain}), and {@link #setReadPaused} stops them (unread bytes stay in
 * QUIC and are not credited back to the sender). It is also the last handler of the stream
 * channel's pipeline. All methods run on the connection's event loop.
 *
 * <p>Until a {@link StreamHandler} is installed autoRead is off, so early bytes wait inside QUIC's
 * flow-controlled receive buffer; the few chunks read in the same batch as a pause are held here.
 */
final class QuicMuxedStream extends ChannelInboundHandlerAdapter implements MuxedStream {
  private static final Logger log = LoggerFactory.getLogger(QuicMuxedStream.class);

  private final QuicStreamChannel channel;
  private final QuicConnection connection;
  private final Direction direction;
  private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
  private final ArrayDeque<PendingWrite> outbound = new ArrayDeque<>();
  /** Reads per {@link #drainReads} turn before yielding to the loop's other work. */
  private static final int MAX_DRAIN_READS = 8;

  /**
   * Bytes queued ahead of the newest write that make {@link #write} flush at once instead of at the
   * end of the loop task: a response of many chunks starts leaving with its first chunk, while
   * small writes of one task (gossip to one peer) still share packets.
   */
  static final int FLUSH_BYTES = 64 * 1024;

  /** Unflushed bytes above which {@link #isWritable()} is false until the end-of-task flush. */
  static final int WRITE_HIGH_WATER = 1024 * 1024;

  private long unflushedBytes;
  private boolean lastWritable = true;
  private boolean flushScheduled;
  private boolean drainScheduled;
  private boolean draining;
  private long bytesRead;
  private boolean finPending;
  private StreamHandler handler;
  private boolean paused;
  private boolean remoteFinSeen;
  private boolean remoteFinDelivered;
  private boolean localFinSent;
  private boolean reset;
  private String resetReason;
  private boolean closedDelivered;

  QuicMuxedStream(QuicStreamChannel channel, QuicConnection connection, Direction direction) {
    this.channel = channel;
    this.connection = connection;
    this.direction = direction;
  }

  QuicStreamChannel channel() {
    return channel;
  }

  @Override
  public long id() {
    return channel.streamId();
  }

  @Override
  public Connection connection() {
    return connection;
  }

  @Override
  public Direction direction() {
    return direction;
  }

  @Override
  public void handler(StreamHandler h) {
    if (h == null) {
      throw new IllegalArgumentException("handler");
    }
    this.handler = h;
    drain();
    scheduleReadDrain();
  }

  @Override
  public Future<Void> write(ByteBuf data) {
    if (localFinSent || reset) {
      ReferenceCountUtil.release(data);
      return channel.newFailedFuture(
          new IllegalStateException(reset ? "stream reset" : "write side closed"));
    }
    int n = data.readableBytes();
    log.trace("stream {} write {} bytes", channel.streamId(), n);
    if (!data.isDirect() && data.nioBufferCount() > 1) {
      data = toDirect(data);
    }
    ChannelPromise p = channel.newPromise();
    outbound.add(new PendingWrite(data, p));
    unflushedBytes += n;
    if (unflushedBytes - n >= FLUSH_BYTES) {
      // enough queued ahead of this write: send it now (per chunk, not per loop task)
      flushAllButNewest();
    }
    scheduleFlush();
    updateWritability();
    return p;
  }

  /**
   * QUIC sends from native memory, so Netty copies a heap buffer into a direct one; for a buffer of
   * several arrays (a gossip frame that shares its payload) it would first merge them into a fresh
   * heap array. Copy each array straight into one pooled direct buffer instead: the one copy that
   * has to happen, and no heap allocation.
   */
  private ByteBuf toDirect(ByteBuf data) {
    try {
      ByteBuf direct = channel.alloc().directBuffer(data.readableBytes());
      for (java.nio.ByteBuffer part : data.nioBuffers()) {
        direct.writeBytes(part);
      }
      return direct;
    } finally {
      data.release();
    }
  }

  /**
   * Hands every queued write but the newest to QUIC and flushes. The newest stays for the flush at
   * the end of the task, so that a FIN from a {@link #closeWrite()} in the same task still rides
   * on the last data frame.
   */
  private void flushAllButNewest() {
    while (outbound.size() > 1) {
      PendingWrite w = outbound.poll();
      unflushedBytes -= w.data().readableBytes();
      channel.write(w.data(), w.promise());
    }
    channel.flush();
  }

  private record PendingWrite(ByteBuf data, ChannelPromise promise) {}

  /**
   * Writes queued in this event-loop task go out together at its end, the last one carrying the
   * FIN when {@link #closeWrite()} was called meanwhile: data and FIN then travel in one STREAM
   * frame, as other QUIC stacks send them (a FIN alone in a trailing empty frame stalled js-libp2p
   * QUIC readers).
   */
  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      channel.eventLoop().execute(this::flushOutbound);
    }
  }

  private void flushOutbound() {
    flushScheduled = false;
    if (reset) {
      failOutbound("stream reset");
      return;
    }
    unflushedBytes = 0;
    PendingWrite w;
    while ((w = outbound.poll()) != null) {
      boolean last = outbound.isEmpty() && finPending;
      if (last) {
        finPending = false;
        channel.write(new DefaultQuicStreamFrame(w.data(), true), w.promise());
      } else {
        channel.write(w.data(), w.promise());
      }
    }
    if (finPending) {
      finPending = false;
      // Not channel.shutdownOutput(): in Netty 4.2.18 it hands the FIN to quiche at once, ahead of
      // writes still queued for flow control, which truncates the stream (see
      // NettyQuicLimitationsTest). A FIN frame written through the normal path queues behind them.
      channel.write(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
    }
    channel.flush();
    updateWritability();
  }

  private void failOutbound(String why) {
    unflushedBytes = 0;
    PendingWrite w;
    while ((w = outbound.poll()) != null) {
      w.data().release();
      w.promise().tryFailure(new IllegalStateException(why));
    }
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable() && unflushedBytes < WRITE_HIGH_WATER && !localFinSent && !reset;
  }

  /**
   * Reports a change of {@link #isWritable()} caused by our own queue (the channel's own changes
   * arrive through {@link #channelWritabilityChanged}).
   */
  private void updateWritability() {
    boolean w = isWritable();
    if (w != lastWritable) {
      lastWritable = w;
      notifyWritability();
    }
  }

  @Override
  public void closeWrite() {
    if (localFinSent || reset) {
      return;
    }
    localFinSent = true;
    finPending = true;
    scheduleFlush();
  }

  @Override
  public void reset() {
    if (reset || closedDelivered) {
      return;
    }
    markReset("reset locally");
    if (channel.isOpen()) {
      // RESET_STREAM + STOP_SENDING, then release the channel.
      channel.shutdown(0).addListener(f -> channel.close());
    }
  }

  @Override
  public void setReadPaused(boolean p) {
    if (paused == p) {
      return;
    }
    paused = p;
    if (!p) {
      drain();
      scheduleReadDrain();
    }
  }

  /**
   * Reads are batched per event-loop turn. autoRead stays off: Netty's QUIC reads a stream after
   * every received packet (~1.3 KB) while a read is pending, which would hand the protocol one
   * small buffer per packet. Instead one read stays "armed": the first packet of a turn delivers
   * its bytes and schedules {@link #drainReads}, which runs after the loop has processed all the
   * datagrams of this turn (up to 32 per recvmmsg) and takes everything QUIC buffered meanwhile in
   * a few large reads, then arms again. Unread bytes stay in QUIC's flow-controlled receive buffer.
   */
  private void scheduleReadDrain() {
    if (!drainScheduled && !draining && handler != null && !paused && !reset) {
      drainScheduled = true;
      channel.eventLoop().execute(this::drainReads);
    }
  }

  private void drainReads() {
    drainScheduled = false;
    draining = true;
    try {
      for (int round = 0; round < MAX_DRAIN_READS; round++) {
        if (handler == null || paused || reset || !channel.isActive()) {
          return;
        }
        long before = bytesRead;
        // reads what QUIC holds (a few buffers of up to 64 KiB); when it holds nothing the read
        // stays pending: the stream is armed for the next packet
        channel.read();
        if (bytesRead == before) {
          return;
        }
      }
    } finally {
      draining = false;
    }
    // still more after MAX_DRAIN_READS reads: continue after the loop's other work
    scheduleReadDrain();
  }

  @Override
  public ByteBufAllocator alloc() {
    return channel.alloc();
  }

  // ---- pipeline side ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    connection.markActivity();
    bytesRead += buf.readableBytes();
    if (log.isTraceEnabled()) {
      log.trace("stream {} read {} bytes (handler={} paused={})", channel.streamId(), buf.readableBytes(), handler != null, paused);
    }
    if (reset) {
      buf.release();
      return;
    }
    if (handler == null || paused || !held.isEmpty()) {
      held.add(buf);
      return;
    }
    deliver(buf);
    scheduleReadDrain();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      log.trace("stream {} remote FIN", channel.streamId());
      remoteFinSeen = true;
      drain();
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    lastWritable = isWritable();
    notifyWritability();
  }

  private void notifyWritability() {
    if (handler != null && !closedDelivered) {
      try {
        handler.onWritabilityChanged(this);
      } catch (RuntimeException e) {
        PipelineErrors.of(channel).report("stream handler (onWritabilityChanged)", e);
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof QuicStreamResetException) {
      markReset("reset by remote");
    } else {
      PipelineErrors.of(channel).report("stream " + channel.streamId(), cause); // one line
      markReset("stream error: " + cause);
    }
    channel.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (log.isTraceEnabled()) {
      log.trace(
          "stream {} {} closed: remoteFin={} localFin={} reset={} ({}) handler={} held={}",
          channel.streamId(), direction, remoteFinSeen, localFinSent, reset, resetReason,
          handler != null, held.size());
    }
    connection.streamClosed(this);
    if (!(remoteFinSeen && localFinSent) && !reset) {
      String why = connection.isOpen() ? "stream closed before FIN both ways" : "connection closed";
      markReset(why);
    }
    if (reset) {
      releaseHeld();
    } else {
      drain();
    }
    if (!closedDelivered) {
      closedDelivered = true;
      if (handler != null) {
        try {
          handler.onClosed(this);
        } catch (RuntimeException e) {
          PipelineErrors.of(channel).report("stream handler (onClosed)", e);
        }
      }
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
    failOutbound("stream closed");
  }

  private void markReset(String reason) {
    if (reset) {
      return;
    }
    reset = true;
    resetReason = reason;
    releaseHeld();
    failOutbound(reason);
    if (handler != null && !closedDelivered) {
      try {
        handler.onReset(this, reason);
      } catch (RuntimeException e) {
        PipelineErrors.of(channel).report("stream handler (onReset)", e);
      }
    }
  }

  /** Delivers held bytes (and a deferred FIN) while a handler is set and reading is not paused. */
  private void drain() {
    while (handler != null && !paused && !reset && !held.isEmpty()) {
      deliver(held.poll());
    }
    if (remoteFinSeen
        && !remoteFinDelivered
        && held.isEmpty()
        && handler != null
        && !paused
        && !reset) {
      remoteFinDelivered = true;
      try {
        handler.onRemoteClose(this);
      } catch (RuntimeException e) {
        PipelineErrors.of(channel).report("stream handler (onRemoteClose)", e);
      }
    }
  }

  private void deliver(ByteBuf buf) {
    try {
      handler.onData(this, buf);
    } catch (RuntimeException e) {
      PipelineErrors.of(channel).report("stream handler (onData) of stream " + channel.streamId(), e);
      reset();
    }
  }

  private void releaseHeld() {
    ByteBuf b;
    while ((b = held.poll()) != null) {
      b.release();
    }
  }

  String resetReason() {
    return resetReason;
  }

  @Override
  public String toString() {
    return "QuicStream[" + channel.streamId() + " " + direction + " of " + connection + "]";
  }
}
