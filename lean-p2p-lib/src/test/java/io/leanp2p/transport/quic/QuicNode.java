package io.leanp2p.transport.quic;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import io.leanp2p.config.QuicConfig;

/**
 * Test fixture: one "network" = one single-threaded event loop + a QuicTransport whose inbound
 * streams are served by multistream-select with a test echo protocol.
 */
final class QuicNode implements AutoCloseable {
  static final String ECHO = "/leanp2p/test/echo/1.0.0";
  static final Duration T = Duration.ofSeconds(10);

  final MultiThreadIoEventLoopGroup group;
  final EventLoop loop;
  final Scheduler sched;
  final PrivateKey identity;
  final PeerId peerId;
  final ProtocolRegistry registry = new ProtocolRegistry();
  final LinkedBlockingQueue<Connection> connections = new LinkedBlockingQueue<>();
  final QuicTransport transport;

  QuicNode(QuicConfig cfg) {
    this(cfg, Secp256k1PrivateKey.generate(new SecureRandom()), null);
  }

  QuicNode(QuicConfig cfg, PrivateKey identity, QuicTransport.KeepAlive keepAlive) {
    this(cfg, identity, keepAlive, io.leanp2p.transport.EventLoops.ioHandlerFactory());
  }

  /** A node whose loop does the given I/O (epoll or NIO; the transport follows the loop). */
  QuicNode(QuicConfig cfg, io.netty.channel.IoHandlerFactory io) {
    this(cfg, Secp256k1PrivateKey.generate(new SecureRandom()), null, io);
  }

  QuicNode(QuicConfig cfg, PrivateKey identity, QuicTransport.KeepAlive keepAlive, io.netty.channel.IoHandlerFactory io) {
    this.group = new MultiThreadIoEventLoopGroup(1, io);
    this.loop = group.next();
    this.sched = Scheduler.of(loop);
    this.identity = identity;
    this.peerId = PeerId.fromPublicKey(identity.publicKey());
    registry.register(ECHO, QuicNode::echo);
    this.transport =
        new QuicTransport(
            loop,
            identity,
            cfg,
            c -> {
              c.inboundStreamHandler(s -> StreamNegotiator.listen(s, registry, sched, 5000));
              connections.add(c);
            },
            keepAlive,
            new SecureRandom(),
            Clock.systemUTC());
  }

  /** The echo protocol: every byte back, FIN after the remote's FIN. */
  static void echo(MuxedStream s, ByteBuf leftover) {
    s.handler(
        new StreamHandler() {
          @Override
          public void onData(MuxedStream st, ByteBuf data) {
            st.write(data);
          }

          @Override
          public void onRemoteClose(MuxedStream st) {
            st.closeWrite();
          }
        });
    if (leftover.isReadable()) {
      s.write(leftover);
    } else {
      leftover.release();
    }
  }

  Multiaddr listen() throws Exception {
    return transport.listen(Multiaddr.parse("/ip4/127.0.0.1/udp/0/quic-v1")).get(10, TimeUnit.SECONDS);
  }

  Connection dial(QuicNode other, Multiaddr addr) throws Exception {
    return transport.dial(addr, other.peerId, T).get(15, TimeUnit.SECONDS);
  }

  <V> V call(Callable<V> c) throws Exception {
    return loop.submit(c).get(10, TimeUnit.SECONDS);
  }

  /** Opens a stream, negotiates {@code protocol}, and hands back the stream. */
  Future<MuxedStream> openProtocol(Connection c, String protocol) {
    var p = loop.<MuxedStream>newPromise();
    loop.execute(
        () ->
            c.openStream()
                .addListener(
                    (Future<MuxedStream> f) -> {
                      if (!f.isSuccess()) {
                        p.tryFailure(f.cause());
                        return;
                      }
                      StreamNegotiator.select(
                          f.getNow(),
                          List.of(protocol),
                          sched,
                          5000,
                          new StreamNegotiator.SelectCallback() {
                            @Override
                            public void selected(MuxedStream s, String proto, ByteBuf leftover) {
                              leftover.release();
                              p.trySuccess(s);
                            }

                            @Override
                            public void failed(MuxedStream s, String reason) {
                              p.tryFailure(new IllegalStateException(reason));
                            }
                          });
                    }));
    return p;
  }

  /**
   * Echoes {@code payload} over a fresh stream (written in 64 KiB pieces, then FIN) and completes
   * with what came back once the remote's FIN and the stream's close arrived.
   */
  CompletableFuture<Echoed> echo(Connection c, byte[] payload) {
    CompletableFuture<Echoed> out = new CompletableFuture<>();
    openProtocol(c, ECHO)
        .addListener(
            (Future<MuxedStream> f) -> {
              if (!f.isSuccess()) {
                out.completeExceptionally(f.cause());
                return;
              }
              MuxedStream s = f.getNow();
              Collector col = new Collector(out);
              s.handler(col);
              for (int off = 0; off < payload.length; off += 65536) {
                int n = Math.min(65536, payload.length - off);
                s.write(s.alloc().buffer(n).writeBytes(payload, off, n));
              }
              s.closeWrite();
            });
    return out;
  }

  record Echoed(long bytes, byte[] sha256, boolean remoteFin, boolean reset) {}

  /** Hashes what arrives; completes on close. */
  static final class Collector implements StreamHandler {
    final CompletableFuture<Echoed> out;
    final MessageDigest md;
    long bytes;
    boolean fin;
    boolean reset;

    Collector(CompletableFuture<Echoed> out) {
      this.out = out;
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      try {
        bytes += data.readableBytes();
        md.update(data.nioBuffer());
      } finally {
        data.release();
      }
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      fin = true;
    }

    @Override
    public void onReset(MuxedStream s, String reason) {
      reset = true;
      out.completeExceptionally(new IllegalStateException("reset: " + reason));
    }

    @Override
    public void onClosed(MuxedStream s) {
      out.complete(new Echoed(bytes, md.digest(), fin, reset));
    }
  }

  static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  @Override
  public void close() throws Exception {
    try {
      transport.closeAsync().await(10, TimeUnit.SECONDS);
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }
}
