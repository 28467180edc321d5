package io.leanp2p.transport.quic;

import io.leanp2p.testing.QuicClientSocket;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicTokenHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Plain Netty QUIC endpoints presenting arbitrary (bad) certificates, for fault tests. */
final class RawQuic {
  private RawQuic() {}

  @ChannelHandler.Sharable
  static final class Noop extends ChannelInboundHandlerAdapter {}

  /** A client that trusts anything and presents {@code chain}; returns its UDP channel + connect. */
  static Channel client(EventLoop loop, PrivateKey key, X509Certificate... chain) throws Exception {
    return QuicClientSocket.bind(loop, InetAddress.getLoopbackAddress(), key, chain, Duration.ofSeconds(5), 16);
  }

  static Future<QuicChannel> connect(Channel udp, InetSocketAddress remote) {
    return QuicChannel.newBootstrap(udp)
        .handler(new Noop())
        .streamHandler(new Noop())
        .remoteAddress(remote)
        .connect();
  }

  /** A server that requires (and trusts any) client certificate and presents {@code chain}. */
  static Channel server(EventLoop loop, PrivateKey key, X509Certificate... chain) throws Exception {
    QuicSslContext ctx =
        QuicSslContextBuilder.forServer(key, null, chain)
            .clientAuth(ClientAuth.REQUIRE)
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .applicationProtocols(QuicTransport.ALPN)
            .build();
    ChannelHandler codec =
        new QuicServerCodecBuilder()
            .sslContext(ctx)
            .maxIdleTimeout(5, TimeUnit.SECONDS)
            .initialMaxData(1 << 20)
            .initialMaxStreamDataBidirectionalLocal(1 << 20)
            .initialMaxStreamDataBidirectionalRemote(1 << 20)
            .initialMaxStreamsBidirectional(16)
            .tokenHandler(
                new QuicTokenHandler() {
                  @Override
                  public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress a) {
                    return false;
                  }

                  @Override
                  public int validateToken(ByteBuf token, InetSocketAddress a) {
                    return 0;
                  }

                  @Override
                  public int maxTokenLength() {
                    return 0;
                  }
                })
            .handler(new Noop())
            .streamHandler(new Noop())
            .build();
    return new Bootstrap()
        .group(loop)
        .channel(io.leanp2p.transport.EventLoops.datagramChannel(loop))
        .handler(codec)
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .sync()
        .channel();
  }
}
