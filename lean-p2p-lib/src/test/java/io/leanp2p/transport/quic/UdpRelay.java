package io.leanp2p.transport.quic;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;

/** A UDP relay between one client and {@code target} that can be told to drop everything. */
final class UdpRelay implements AutoCloseable {
  volatile boolean drop;
  private final Channel ch;
  private InetSocketAddress client;

  UdpRelay(EventLoop loop, InetSocketAddress target) throws Exception {
    ch =
        new Bootstrap()
            .group(loop)
            .channel(io.leanp2p.transport.EventLoops.datagramChannel(loop))
            .handler(
                new SimpleChannelInboundHandler<DatagramPacket>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                    if (drop) {
                      return;
                    }
                    InetSocketAddress to;
                    if (p.sender().equals(target)) {
                      to = client;
                    } else {
                      client = p.sender();
                      to = target;
                    }
                    if (to != null) {
                      ctx.writeAndFlush(new DatagramPacket(p.content().retain(), to));
                    }
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) ch.localAddress();
  }

  @Override
  public void close() throws Exception {
    ch.close().sync();
  }
}
