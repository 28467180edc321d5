package io.leanp2p.testing;

import io.leanp2p.transport.EventLoops;
import io.leanp2p.transport.quic.QuicTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * A plain Netty QUIC client socket for tests that misbehave on purpose (fault and attack tests):
 * libp2p's ALPN, trusts any server, presents the certificate chain it is given (a valid libp2p one
 * or a deliberately bad one). Connections are then opened with {@code QuicChannel.newBootstrap}.
 */
public final class QuicClientSocket {
  private QuicClientSocket() {}

  /** A UDP channel bound to {@code from} (port 0) carrying the QUIC client codec. */
  public static Channel bind(EventLoop loop, InetAddress from, PrivateKey tlsKey, X509Certificate[] chain,
      Duration maxIdle, int maxStreams) throws Exception {
    QuicSslContext ctx =
        QuicSslContextBuilder.forClient()
            .keyManager(tlsKey, null, chain)
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .applicationProtocols(QuicTransport.ALPN)
            .build();
    ChannelHandler codec =
        new QuicClientCodecBuilder()
            .sslContext(ctx)
            .maxIdleTimeout(maxIdle.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
            .initialMaxData(1 << 20)
            .initialMaxStreamDataBidirectionalLocal(1 << 20)
            .initialMaxStreamDataBidirectionalRemote(1 << 20)
            .initialMaxStreamsBidirectional(maxStreams)
            .build();
    return new Bootstrap()
        .group(loop)
        .channel(EventLoops.datagramChannel(loop))
        .handler(codec)
        .bind(new InetSocketAddress(from, 0))
        .sync()
        .channel();
  }
}
