package io.leanp2p.transport;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.function.Consumer;
import io.leanp2p.types.CloseReason;
import io.leanp2p.types.Direction;
import io.leanp2p.types.TransportKind;

/**
 * A secured, multiplexed connection to one authenticated remote peer. All methods must be called
 * on {@link #eventLoop()}, the network's single owner thread.
 */
public interface Connection {
  /** The peer proven by the security handshake (Noise payload or libp2p TLS certificate). */
  PeerId remotePeer();

  /** The remote address, ending in {@code /p2p/<remotePeer>}. */
  Multiaddr remoteAddress();

  Multiaddr localAddress();

  Direction direction();

  TransportKind transport();

  EventLoop eventLoop();

  /** Opens a new outbound stream (no protocol negotiated yet). */
  Future<MuxedStream> openStream();

  /**
   * Sets who receives streams the remote opens. Streams that arrive before it is set are held
   * (bounded by the transport's pending-stream cap) and handed over when it is set.
   */
  void inboundStreamHandler(Consumer<MuxedStream> handler);

  boolean isOpen();

  /** Streams of this connection not fully closed yet (either direction). */
  int openStreams();

  /** Closes the connection and all of its streams; idempotent. */
  void close(String reason);

  /** Completes when the connection is closed, whoever closed it. */
  Future<Void> closeFuture();

  /** Why the connection closed (null while open). */
  CloseReason closeReason();
}
