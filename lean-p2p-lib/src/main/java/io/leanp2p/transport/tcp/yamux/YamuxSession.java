package io.leanp2p.transport.tcp.yamux;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionInfo;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.EnumCounters;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.PipelineErrors;
import io.leanp2p.types.TransportKind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.leanp2p.config.YamuxConfig;

/**
 * One Yamux session over a secured channel, and the {@link Connection} its streams belong to. It
 * sits last in the channel pipeline and receives plaintext; everything runs on the channel's event
 * loop (no locks).
 *
 * <p>Flow control: a stream's receive window is credited back (WINDOW_UPDATE) only when its
 * handler has consumed the bytes, once half the window is consumed; data beyond the window we
 * granted is a protocol error that closes the connection. Sends are cut to the remote's window
 * and wait (queued, bounded) for its updates and for channel writability.
 */
public final class YamuxSession extends ChannelInboundHandlerAdapter implements Connection {
  private static final Logger LOG = LoggerFactory.getLogger(YamuxSession.class);
  /**
   * Answers to the remote's control frames (ping ACKs, RSTs of streams refused at the limit)
   * written per second; more are dropped and counted ({@link YamuxError#CONTROL_DROPPED}). Honest
   * peers ping a few times a minute; a flood of 12-byte pings must not cost an allocation and a
   * write each (nor queue without bound when the remote does not read).
   */
  static final int MAX_CONTROL_ANSWERS_PER_SECOND = 256;

  private final YamuxConfig cfg;
  private final ConnectionInfo info;
  private final EnumCounters<YamuxError> errors;
  private final Map<Integer, YamuxStream> streams = new HashMap<>();
  private final ArrayDeque<YamuxStream> pendingInbound = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Promise<Void> closeFuture;
  private Consumer<MuxedStream> inboundHandler;
  /** A frame header split across reads is gathered here (the only bytes ever copied). */
  private final byte[] headerBuf = new byte[YamuxFrame.HEADER];
  private int headerFill;
  /** Payload bytes of the current DATA frame still to arrive. */
  private long dataRemaining;
  /** Where the current DATA frame's payload goes; null: discarded (unknown or refused stream). */
  private YamuxStream dataStream;
  private int nextId;
  private int lastRemoteId;
  private int unackedOutbound;
  private boolean goAwayReceived;
  private boolean closed;
  private boolean closing;
  private CloseReason closeReason;
  private boolean inRead;
  private long controlWindowStart;
  private int controlAnswers;
  private boolean needFlush;
  /** Bytes written since the last flush that make {@link #flushSoon} flush at once. */
  static final int FLUSH_BYTES = 64 * 1024;

  /** A write at least this large is flushed at once rather than at the end of the task. */
  static final int EAGER_BYTES = 16 * 1024;

  private long unflushedBytes;
  private boolean flushTaskScheduled;
  // current frame header while waiting for its payload
  private boolean haveHeader;
  private int hType;
  private int hFlags;
  private int hStream;
  private long hLen;

  /**
   * @param errors protocol-error counters shared by the transport
   */
  public YamuxSession(ConnectionInfo info, YamuxConfig cfg, EnumCounters<YamuxError> errors) {
    this.info = info;
    this.cfg = cfg;
    this.errors = errors;
    this.nextId = info.direction() == Direction.OUTBOUND ? 1 : 2;
  }

  YamuxConfig config() {
    return cfg;
  }

  // ---------------------------------------------------------------- Connection

  @Override
  public PeerId remotePeer() {
    return info.remotePeer();
  }

  @Override
  public Multiaddr remoteAddress() {
    return info.remoteAddress();
  }

  @Override
  public Multiaddr localAddress() {
    return info.localAddress();
  }

  @Override
  public Direction direction() {
    return info.direction();
  }

  @Override
  public TransportKind transport() {
    return TransportKind.TCP;
  }

  @Override
  public EventLoop eventLoop() {
    return ctx.channel().eventLoop();
  }

  /** Number of open streams (tests, metrics). */
  public int streamCount() {
    return streams.size();
  }

  @Override
  public int openStreams() {
    return streams.size();
  }

  @Override
  public Future<MuxedStream> openStream() {
    if (closed) {
      return ctx.executor().newFailedFuture(new IllegalStateException("connection closed"));
    }
    if (goAwayReceived) {
      return ctx.executor().newFailedFuture(new IllegalStateException("remote sent GoAway"));
    }
    if (streams.size() >= cfg.maxStreams()) {
      return ctx.executor().newFailedFuture(new IllegalStateException("too many streams"));
    }
    if (unackedOutbound >= cfg.maxUnackedOutbound()) {
      return ctx.executor()
          .newFailedFuture(new IllegalStateException("too many unacknowledged outbound streams"));
    }
    if (nextId < 0) {
      return ctx.executor().newFailedFuture(new IllegalStateException("stream ids exhausted"));
    }
    int id = nextId;
    nextId += 2;
    YamuxStream s = new YamuxStream(this, id, Direction.OUTBOUND);
    streams.put(id, s);
    unackedOutbound++;
    sendWindowUpdate(id, YamuxFrame.SYN, s.extraWindow());
    flushSoon();
    return ctx.executor().newSucceededFuture(s);
  }

  @Override
  public void inboundStreamHandler(Consumer<MuxedStream> handler) {
    this.inboundHandler = handler;
    YamuxStream s;
    while (inboundHandler == handler && !closed && (s = pendingInbound.poll()) != null) {
      accept(s);
    }
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public void close(String reason) {
    if (closed || closing || ctx == null) {
      return;
    }
    closing = true;
    ChannelCloseReason.record(ctx.channel(), CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, reason));
    ByteBuf b = ctx.alloc().buffer(YamuxFrame.HEADER);
    YamuxFrame.writeHeader(b, YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_NORMAL);
    ctx.writeAndFlush(b).addListener(f -> ctx.channel().close());
    ctx.channel().eventLoop().schedule(() -> ctx.channel().close(), 2, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Override
  public Future<Void> closeFuture() {
    return closeFuture;
  }

  @Override
  public CloseReason closeReason() {
    return closeReason;
  }

  // ---------------------------------------------------------------- pipeline

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.closeFuture = ctx.executor().newPromise();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf data)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closed) {
      data.release();
      return;
    }
    inRead = true;
    try {
      decodeFrames(data);
    } finally {
      data.release();
      inRead = false;
      if (needFlush) {
        needFlush = false;
        flushNow();
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      for (YamuxStream s : new ArrayList<>(streams.values())) {
        s.flushOutbound();
      }
    }
    for (YamuxStream s : new ArrayList<>(streams.values())) {
      s.updateWritability();
    }
    flushSoon();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    CloseReason r = ChannelCloseReason.get(ctx.channel());
    if (r == null) {
      r = CloseReason.of(CloseReason.Kind.REMOTE_CLOSE, goAwayReceived ? "remote sent GoAway" : "connection closed by remote");
    }
    terminate(r);
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    terminate(CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, "handler removed"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof Error e && !(cause instanceof StackOverflowError)) {
      throw e;
    }
    PipelineErrors.of(ctx.channel()).report(this, cause); // counted, one line (a reset is routine)
    ChannelCloseReason.close(ctx.channel(), CloseReason.of(CloseReason.Kind.IO_ERROR, String.valueOf(cause.getMessage())));
  }

  private void terminate(CloseReason r) {
    if (closed) {
      return;
    }
    closed = true;
    closeReason = r;
    dataStream = null;
    for (YamuxStream s : new ArrayList<>(streams.values())) {
      s.onConnectionClosed(r.toString());
    }
    streams.clear();
    YamuxStream s;
    while ((s = pendingInbound.poll()) != null) {
      s.onConnectionClosed(r.toString());
    }
    closeFuture.trySuccess(null);
  }

  // ---------------------------------------------------------------- decoding

  /**
   * Decodes what {@code in} holds. DATA payloads are passed on as they arrive, as retained slices
   * of the read buffer (a frame's payload may reach its stream in several pieces: Yamux streams are
   * byte streams), so payload bytes are never copied here; only a header split across reads is
   * gathered in {@link #headerBuf}. SYN / ACK / window updates act at the header, FIN / RST after
   * the payload.
   */
  private void decodeFrames(ByteBuf in) {
    while (!closed) {
      if (!haveHeader) {
        ByteBuf h = in;
        if (headerFill > 0 || in.readableBytes() < YamuxFrame.HEADER) {
          int n = Math.min(YamuxFrame.HEADER - headerFill, in.readableBytes());
          in.readBytes(headerBuf, headerFill, n);
          headerFill += n;
          if (headerFill < YamuxFrame.HEADER) {
            return;
          }
          headerFill = 0;
          h = io.netty.buffer.Unpooled.wrappedBuffer(headerBuf);
        }
        int version = h.readUnsignedByte();
        hType = h.readUnsignedByte();
        hFlags = h.readUnsignedShort();
        hStream = h.readInt();
        hLen = h.readUnsignedInt();
        if (version != YamuxFrame.VERSION) {
          protocolError(YamuxError.BAD_VERSION, "version " + version);
          return;
        }
        if (hType > YamuxFrame.TYPE_GO_AWAY) {
          protocolError(YamuxError.BAD_TYPE, "type " + hType);
          return;
        }
        if (hType == YamuxFrame.TYPE_DATA) {
          if (!checkDataHeader()) {
            return;
          }
          dataStream = beginStreamFrame();
          if (closed) {
            return;
          }
          dataRemaining = hLen;
        }
        haveHeader = true;
      }
      if (hType == YamuxFrame.TYPE_DATA) {
        if (dataRemaining > 0) {
          if (!in.isReadable()) {
            return;
          }
          int n = (int) Math.min(dataRemaining, in.readableBytes());
          ByteBuf piece = in.readRetainedSlice(n);
          dataRemaining -= n;
          if (dataStream != null) {
            dataStream.onData(piece);
          } else {
            piece.release();
          }
          if (dataRemaining > 0) {
            return;
          }
        }
        haveHeader = false;
        YamuxStream s = dataStream;
        dataStream = null;
        if (s != null) {
          endStreamFrame(s);
        }
      } else {
        haveHeader = false;
        switch (hType) {
          case YamuxFrame.TYPE_WINDOW_UPDATE -> {
            YamuxStream s = beginStreamFrame();
            if (s != null && !closed) {
              endStreamFrame(s);
            }
          }
          case YamuxFrame.TYPE_PING -> onPing();
          default -> onGoAway();
        }
      }
    }
  }

  /** Checks a data frame's length before its payload is buffered. */
  private boolean checkDataHeader() {
    if (hLen > cfg.maxFrameData()) {
      protocolError(YamuxError.FRAME_TOO_LARGE, hLen + " bytes > " + cfg.maxFrameData());
      return false;
    }
    YamuxStream s = streams.get(hStream);
    // a new stream starts with the spec window; a closed one may still have had ours granted
    long window =
        s != null
            ? s.recvWindow()
            : (hFlags & YamuxFrame.SYN) != 0 ? YamuxConfig.SPEC_WINDOW : cfg.initialWindow();
    if (hLen > window) {
      protocolError(YamuxError.WINDOW_VIOLATION, hLen + " bytes on stream " + hStream + ", window " + window);
      return false;
    }
    return true;
  }

  /**
   * The header part of a DATA or WINDOW_UPDATE frame: opens (SYN) or finds its stream, applies
   * ACK and a window update. Returns the stream, or null when the frame is to be ignored (unknown
   * or closed stream, refused SYN, protocol error).
   */
  private YamuxStream beginStreamFrame() {
    int flags = hFlags;
    int id = hStream;
    if (id == 0) {
      protocolError(YamuxError.BAD_STREAM_ID, "stream frame on id 0");
      return null;
    }
    YamuxStream s;
    if ((flags & YamuxFrame.SYN) != 0) {
      s = openInbound(id);
      if (s == null) {
        return null; // refused (RST sent) or protocol error
      }
    } else {
      s = streams.get(id);
      if (s == null) {
        s = findPending(id);
      }
      if (s == null) {
        return null; // frame for a closed or unknown stream: ignored, as the spec allows
      }
    }
    if ((flags & YamuxFrame.ACK) != 0 && s.direction() == Direction.OUTBOUND) {
      if (s.onAck()) {
        unackedOutbound--;
      }
    }
    if (hType == YamuxFrame.TYPE_WINDOW_UPDATE && hLen > 0) {
      if (!s.onWindowUpdate(hLen)) {
        protocolError(YamuxError.WINDOW_OVERFLOW, "stream " + id);
        return null;
      }
    }
    return s;
  }

  /** The trailer part: FIN and RST act after the frame's payload. */
  private void endStreamFrame(YamuxStream s) {
    if ((hFlags & YamuxFrame.FIN) != 0) {
      s.onRemoteFin();
    }
    if ((hFlags & YamuxFrame.RST) != 0) {
      s.onRemoteReset();
    }
  }

  private YamuxStream findPending(int id) {
    for (YamuxStream s : pendingInbound) {
      if (s.rawId() == id) {
        return s;
      }
    }
    return null;
  }

  private YamuxStream openInbound(int id) {
    boolean remoteParity = info.direction() == Direction.OUTBOUND ? (id % 2 == 0) : (id % 2 == 1);
    if (!remoteParity || Integer.compareUnsigned(id, lastRemoteId) <= 0) {
      protocolError(YamuxError.BAD_STREAM_ID, "SYN for stream " + Integer.toUnsignedString(id));
      return null;
    }
    lastRemoteId = id;
    if (goAwayReceived || streams.size() + pendingInbound.size() >= cfg.maxStreams()
        || pendingInbound.size() >= cfg.maxUnackedInbound()) {
      errors.inc(YamuxError.STREAM_LIMIT);
      if (controlAnswerAllowed()) {
        sendWindowUpdate(id, YamuxFrame.RST, 0);
        flushSoon();
      }
      return null;
    }
    YamuxStream s = new YamuxStream(this, id, Direction.INBOUND);
    if (inboundHandler != null) {
      accept(s); // the frame's payload (if any) follows into the handler it installs
    } else {
      pendingInbound.add(s);
    }
    return s;
  }

  private void accept(YamuxStream s) {
    if (s.isReset()) {
      return;
    }
    streams.put(s.rawId(), s);
    sendWindowUpdate(s.rawId(), YamuxFrame.ACK, s.extraWindow());
    flushSoon();
    try {
      inboundHandler.accept(s);
    } catch (RuntimeException e) {
      PipelineErrors.of(ctx.channel()).report("inbound stream handler of " + s, e); // one line, rate-limited
      errors.inc(YamuxError.HANDLER_FAILED);
      s.reset();
    }
  }

  private void onPing() {
    if (hStream != 0) {
      protocolError(YamuxError.BAD_FLAGS, "ping on stream " + hStream);
      return;
    }
    if ((hFlags & YamuxFrame.SYN) != 0) {
      if (!controlAnswerAllowed()) {
        return;
      }
      ByteBuf b = ctx.alloc().buffer(YamuxFrame.HEADER);
      YamuxFrame.writeHeader(b, YamuxFrame.TYPE_PING, YamuxFrame.ACK, 0, hLen);
      ctx.write(b, ctx.voidPromise());
      flushSoon();
    }
  }

  /**
   * Whether one more answer to a remote control frame may be written: within {@link
   * #MAX_CONTROL_ANSWERS_PER_SECOND} and while the channel is writable (a remote that does not
   * read would make us queue answers without bound). Counts the drop otherwise.
   */
  private boolean controlAnswerAllowed() {
    long now = nanoTime();
    if (now - controlWindowStart >= 1_000_000_000L) {
      controlWindowStart = now;
      controlAnswers = 0;
    }
    if (controlAnswers < MAX_CONTROL_ANSWERS_PER_SECOND && ctx.channel().isWritable()) {
      controlAnswers++;
      return true;
    }
    errors.inc(YamuxError.CONTROL_DROPPED);
    return false;
  }

  private void onGoAway() {
    goAwayReceived = true;
    if (hLen != YamuxFrame.GO_AWAY_NORMAL) {
      errors.inc(YamuxError.REMOTE_GO_AWAY_ERROR);
      ChannelCloseReason.record(
          ctx.channel(), CloseReason.of(CloseReason.Kind.PROTOCOL_ERROR, "remote GoAway code " + hLen));
      ctx.channel().close(); // an error ends the session now: its streams are not drained
      return;
    } else {
      ChannelCloseReason.record(ctx.channel(), CloseReason.of(CloseReason.Kind.REMOTE_CLOSE, "remote sent GoAway"));
    }
    if (streams.isEmpty()) {
      ctx.channel().close();
    }
  }

  void protocolError(YamuxError e, String detail) {
    if (closed) {
      return;
    }
    errors.inc(e);
    LOG.debug("yamux protocol error from {}: {} {}", info.remotePeer(), e, detail);
    ChannelCloseReason.record(ctx.channel(), CloseReason.of(CloseReason.Kind.PROTOCOL_ERROR, "yamux " + e + ": " + detail));
    ByteBuf b = ctx.alloc().buffer(YamuxFrame.HEADER);
    YamuxFrame.writeHeader(b, YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_PROTOCOL_ERROR);
    ctx.writeAndFlush(b).addListener(f -> ctx.channel().close());
    terminate(ChannelCloseReason.get(ctx.channel()));
  }

  void countError(YamuxError e) {
    errors.inc(e);
  }

  // ---------------------------------------------------------------- used by streams

  ChannelHandlerContext ctx() {
    return ctx;
  }

  /** The event loop's clock (a mock ticker in tests that drive time). */
  long nanoTime() {
    return ctx != null ? ctx.executor().ticker().nanoTime() : System.nanoTime();
  }

  boolean channelWritable() {
    return ctx.channel().isWritable();
  }

  boolean isClosed() {
    return closed;
  }

  void sendWindowUpdate(int id, int flags, long delta) {
    ByteBuf b = ctx.alloc().buffer(YamuxFrame.HEADER);
    YamuxFrame.writeHeader(b, YamuxFrame.TYPE_WINDOW_UPDATE, flags, id, delta);
    ctx.write(b, ctx.voidPromise());
    unflushedBytes += YamuxFrame.HEADER;
  }

  /** Writes a data frame header and payload (payload ownership passes). */
  void sendData(int id, int flags, ByteBuf payload, ChannelPromise promise) {
    int n = payload.readableBytes();
    ByteBuf h = ctx.alloc().buffer(YamuxFrame.HEADER);
    YamuxFrame.writeHeader(h, YamuxFrame.TYPE_DATA, flags, id, n);
    ctx.write(h, ctx.voidPromise());
    ctx.write(payload, promise);
    unflushedBytes += YamuxFrame.HEADER + n;
  }

  /**
   * Frames written outside a read are flushed together at the end of the loop task (one Noise
   * frame and one socket write for a burst of small messages instead of one each), or at once when
   * {@link #FLUSH_BYTES} are waiting or a large write ({@link #EAGER_BYTES}) was just made, so that
   * unflushed bytes stay bounded and a large message leaves whole without waiting for the task to
   * end. Frames written while handling a read go out when the read is done.
   */
  void flushSoon() {
    flushSoon(0);
  }

  /**
   * @param justWritten payload bytes a stream just wrote in one go: from {@link #EAGER_BYTES} on
   *     (a large message, possibly cut into several frames) they leave at once, as a whole
   */
  void flushSoon(long justWritten) {
    if (inRead) {
      needFlush = true;
    } else if (ctx != null) {
      if (justWritten >= EAGER_BYTES || unflushedBytes >= FLUSH_BYTES || !ctx.channel().isWritable()) {
        // enough waiting, or the channel's outbound buffer is full (unflushed writes count
        // against its high-water mark when no codec holds them): flush now, never wait on it
        flushNow();
      } else if (!flushTaskScheduled) {
        flushTaskScheduled = true;
        ctx.executor().execute(this::flushTask);
      }
    }
  }

  private void flushTask() {
    flushTaskScheduled = false;
    if (ctx.channel().isActive()) {
      flushNow(); // unconditionally: a flush already done by someone else makes this one a no-op
    }
  }

  private void flushNow() {
    unflushedBytes = 0;
    ctx.flush();
  }

  void streamClosed(YamuxStream s) {
    if (streams.get(s.rawId()) == s) {
      streams.remove(s.rawId());
    } else {
      pendingInbound.remove(s);
    }
    if (goAwayReceived && streams.isEmpty() && !closed) {
      ctx.channel().close();
    }
  }

  @Override
  public String toString() {
    return "YamuxSession[" + info.direction() + " " + info.remotePeer() + "]";
  }
}
