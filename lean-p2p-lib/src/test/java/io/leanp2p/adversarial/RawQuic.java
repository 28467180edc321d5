package io.leanp2p.adversarial;

import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.transport.quic.CertAndKey;
import io.leanp2p.testing.QuicClientSocket;
import io.leanp2p.transport.quic.Libp2pTls;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A raw QUIC attacker: Netty's QUIC client (QUIC itself is not written by hand) presenting a
 * libp2p TLS certificate of its own identity (the library's generator), on its own UDP socket
 * bound to its own loopback address. What it then sends on streams is up to the attack; it reads
 * and drops whatever the victim sends.
 */
final class RawQuic implements AutoCloseable {
  private final Channel udp;
  private QuicChannel conn;

  private RawQuic(Channel udp) {
    this.udp = udp;
  }

  @ChannelHandler.Sharable
  static final class Drop extends ChannelInboundHandlerAdapter {
    static final Drop INSTANCE = new Drop();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** A UDP socket on {@code from} with a QUIC client codec presenting {@code identity}'s certificate. */
  static RawQuic bind(EventLoop loop, InetAddress from, PrivateKey identity, SecureRandom random) throws Exception {
    CertAndKey ck = Libp2pTls.generate(identity, random, Instant.now());
    Channel udp = QuicClientSocket.bind(loop, from, ck.tlsKey(), new X509Certificate[] {ck.certificate()},
        Duration.ofSeconds(20), 1000);
    return new RawQuic(udp);
  }

  /** Completes the QUIC + TLS handshake with {@code target}. */
  QuicChannel connect(InetSocketAddress target) throws Exception {
    conn =
        QuicChannel.newBootstrap(udp)
            .handler(Drop.INSTANCE)
            .streamHandler(Drop.INSTANCE)
            .remoteAddress(target)
            .connect()
            .get(20, TimeUnit.SECONDS);
    return conn;
  }

  /** Starts a handshake and does not wait for it (a half-open connection when closed at once). */
  void startConnect(InetSocketAddress target) {
    QuicChannel.newBootstrap(udp).handler(Drop.INSTANCE).streamHandler(Drop.INSTANCE).remoteAddress(target).connect();
  }

  /** Opens a bidirectional stream and writes {@code bytes} on it (none: a silent stream). */
  QuicStreamChannel stream(byte[] bytes) throws Exception {
    QuicStreamChannel s = conn.createStream(QuicStreamType.BIDIRECTIONAL, Drop.INSTANCE).get(10, TimeUnit.SECONDS);
    if (bytes.length > 0) {
      s.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }
    return s;
  }

  QuicChannel connection() {
    return conn;
  }

  /** Closes the UDP socket without a CONNECTION_CLOSE: the peer just vanishes. */
  void closeSocketOnly() {
    udp.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (conn != null) {
      conn.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    udp.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
