package io.leanp2p.transport.quic;

import io.leanp2p.transport.PipelineErrors;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.types.TransportKind;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link QuicChannel} as a {@link Connection}. Created before the handshake completes (so that
 * early inbound streams have an owner) and {@linkplain #establish established} once the peer's
 * certificate proved a PeerId. All methods run on the event loop.
 */
final class QuicConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(QuicConnection.class);

  private final QuicTransport transport;
  private final QuicChannel channel;
  private final Direction direction;
  private final Promise<Void> closePromise;
  private final ArrayDeque<QuicMuxedStream> pendingInbound = new ArrayDeque<>();
  private final Set<QuicMuxedStream> streams = new LinkedHashSet<>();
  private PeerId remotePeer;
  private Multiaddr remoteAddress;
  private Multiaddr localAddress;
  private Consumer<MuxedStream> inboundHandler;
  private boolean established;
  private CloseReason closeReason;
  private CloseReason localCloseReason;
  private CloseReason remoteCloseReason;
  private boolean activity;

  QuicConnection(QuicTransport transport, QuicChannel channel, Direction direction) {
    this.transport = transport;
    this.channel = channel;
    this.direction = direction;
    this.closePromise = channel.eventLoop().newPromise();
  }

  void establish(PeerId peer, Multiaddr remote, Multiaddr local) {
    this.remotePeer = peer;
    this.remoteAddress = remote;
    this.localAddress = local;
    this.established = true;
    handOutPending();
  }

  boolean isEstablished() {
    return established;
  }

  QuicChannel channel() {
    return channel;
  }

  @Override
  public PeerId remotePeer() {
    return remotePeer;
  }

  @Override
  public Multiaddr remoteAddress() {
    return remoteAddress;
  }

  @Override
  public Multiaddr localAddress() {
    return localAddress;
  }

  @Override
  public Direction direction() {
    return direction;
  }

  @Override
  public TransportKind transport() {
    return TransportKind.QUIC;
  }

  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  @Override
  public Future<MuxedStream> openStream() {
    Promise<MuxedStream> p = channel.eventLoop().newPromise();
    if (!isOpen()) {
      return p.setFailure(new IllegalStateException("connection closed"));
    }
    channel
        .createStream(QuicStreamType.BIDIRECTIONAL, transport.streamInitializer(Direction.OUTBOUND))
        .addListener(
            (Future<QuicStreamChannel> f) -> {
              if (!f.isSuccess()) {
                p.tryFailure(f.cause());
                return;
              }
              QuicMuxedStream s = f.getNow().pipeline().get(QuicMuxedStream.class);
              if (s == null) {
                f.getNow().close();
                p.tryFailure(new IllegalStateException("stream closed before it was opened"));
              } else if (!p.trySuccess(s)) {
                s.reset();
              }
            });
    return p;
  }

  @Override
  public void inboundStreamHandler(Consumer<MuxedStream> handler) {
    this.inboundHandler = handler;
    handOutPending();
  }

  /** A remote-opened stream appeared (stream initializer). */
  void onInboundStream(QuicMuxedStream s) {
    if (established && inboundHandler != null && pendingInbound.isEmpty()) {
      handOut(s);
      return;
    }
    if (pendingInbound.size() >= transport.config().maxPendingInboundStreams()) {
      transport.countPendingStreamDropped();
      s.reset();
      return;
    }
    pendingInbound.add(s);
  }

  void streamOpened(QuicMuxedStream s) {
    streams.add(s);
    transport.streamOpened();
  }

  void streamClosed(QuicMuxedStream s) {
    if (streams.remove(s)) {
      transport.streamClosed();
    }
    pendingInbound.remove(s);
  }

  @Override
  public int openStreams() {
    return streams.size();
  }

  private void handOutPending() {
    while (established && inboundHandler != null && !pendingInbound.isEmpty()) {
      handOut(pendingInbound.poll());
    }
  }

  private void handOut(QuicMuxedStream s) {
    try {
      inboundHandler.accept(s);
    } catch (RuntimeException e) {
      PipelineErrors.of(channel).report("inbound stream handler of " + s, e); // one line, rate-limited
      s.reset();
    }
  }

  void markActivity() {
    activity = true;
  }

  /** Returns whether anything arrived since the last call, and clears the mark. */
  boolean takeActivity() {
    boolean a = activity;
    activity = false;
    return a;
  }

  @Override
  public boolean isOpen() {
    return closeReason == null && channel.isOpen();
  }

  @Override
  public void close(String reason) {
    closeWith(CloseReason.of(CloseReason.Kind.LOCAL_CLOSE, reason));
  }

  /** Closes with an application CONNECTION_CLOSE (code 0) carrying a short reason. */
  void closeWith(CloseReason reason) {
    if (localCloseReason != null || closeReason != null) {
      return;
    }
    localCloseReason = reason;
    if (channel.isOpen()) {
      byte[] text = reason.detail() == null ? new byte[0] : reason.detail().getBytes(StandardCharsets.UTF_8);
      int n = Math.min(text.length, 64);
      channel.close(true, 0, Unpooled.wrappedBuffer(text, 0, n));
    }
  }

  void remoteClosed(CloseReason r) {
    if (remoteCloseReason == null) {
      remoteCloseReason = r;
    }
  }

  /** The QUIC channel went inactive: settle the reason, reset held streams, complete closeFuture. */
  CloseReason onChannelClosed() {
    if (closeReason != null) {
      return closeReason;
    }
    if (localCloseReason != null) {
      closeReason = localCloseReason;
    } else if (channel.isTimedOut()) {
      closeReason = CloseReason.of(CloseReason.Kind.TIMEOUT, "idle timeout");
    } else if (remoteCloseReason != null) {
      closeReason = remoteCloseReason;
    } else {
      // Netty did not surface the peer's CONNECTION_CLOSE details (seen with quinn peers); a QUIC
      // connection we did not close and that did not time out was closed by the peer.
      closeReason = CloseReason.of(CloseReason.Kind.REMOTE_CLOSE, "closed by the peer");
    }
    QuicMuxedStream s;
    while ((s = pendingInbound.poll()) != null) {
      s.reset();
    }
    closePromise.trySuccess(null);
    return closeReason;
  }

  @Override
  public Future<Void> closeFuture() {
    return closePromise;
  }

  @Override
  public CloseReason closeReason() {
    return closeReason;
  }

  @Override
  public String toString() {
    return "QuicConnection[" + direction.wireName() + " " + (remotePeer == null ? "?" : remotePeer)
        + " " + channel.remoteSocketAddress() + "]";
  }
}
