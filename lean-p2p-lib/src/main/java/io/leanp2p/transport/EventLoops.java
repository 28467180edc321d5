package io.leanp2p.transport;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Which I/O a network's single event loop does: Netty's native epoll on Linux when its native
 * library loads (x86_64 is shipped), Java NIO everywhere else. The choice is made once, when the
 * loop is created ({@link #ioHandlerFactory()}); the transports then follow whatever loop they are
 * given ({@link #isEpoll}), so a NIO loop (tests, other platforms) and an epoll loop both work with
 * the same code.
 *
 * <p>Why epoll: QUIC moves one ~1.3 KB datagram per packet. On NIO every datagram costs one
 * syscall and one JNI call each way; on epoll the QUIC transport reads up to {@link
 * #RECVMMSG_DATAGRAMS} datagrams per {@code recvmmsg} and writes a flush's packets with one {@code
 * sendmmsg}. The loop stays one thread ({@code MultiThreadIoEventLoopGroup(1, factory)}): the actor
 * rule does not depend on the I/O kind.
 *
 * <p>{@code -Dio.leanp2p.nativeIo=false} forces NIO (for A/B measurements or a broken native
 * library); it is read when a loop is created, nothing is cached.
 */
public final class EventLoops {
  /** System property that, set to {@code false}, keeps new event loops on NIO. */
  public static final String NATIVE_IO_PROPERTY = "io.leanp2p.nativeIo";

  /**
   * Datagram slots per {@code recvmmsg} on an epoll loop. 32 × {@link #MAX_DATAGRAM} is a 47 KiB
   * receive buffer: a full loopback burst of a congestion window arrives in a few calls.
   */
  public static final int RECVMMSG_DATAGRAMS = 32;

  /**
   * Largest UDP payload a QUIC peer may send us (announced as {@code max_udp_payload_size}); each
   * {@code recvmmsg} slot has this size, so a larger datagram would be truncated. 1500 covers every
   * stack's path-MTU ceiling (quinn, quic-go and quiche stop at 1452 or below on IPv4 / IPv6).
   */
  public static final int MAX_DATAGRAM = 1500;

  private EventLoops() {}

  /** True when new loops will use epoll: Linux, the native library loaded, not disabled. */
  public static boolean nativeIoAvailable() {
    return !"false".equalsIgnoreCase(System.getProperty(NATIVE_IO_PROPERTY)) && Epoll.isAvailable();
  }

  /** The I/O handler for a network's event loop: epoll when {@link #nativeIoAvailable()}, else NIO. */
  public static IoHandlerFactory ioHandlerFactory() {
    return nativeIoAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /** Whether {@code loop} is an epoll loop (its channels must then be epoll channels). */
  public static boolean isEpoll(EventLoop loop) {
    return loop instanceof IoEventLoop l && l.isIoType(EpollIoHandler.class);
  }

  /** A short name of the loop's I/O kind for logs and metrics: {@code epoll} or {@code nio}. */
  public static String ioName(EventLoop loop) {
    return isEpoll(loop) ? "epoll" : "nio";
  }

  public static Class<? extends DatagramChannel> datagramChannel(EventLoop loop) {
    return isEpoll(loop) ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  public static Class<? extends SocketChannel> socketChannel(EventLoop loop) {
    return isEpoll(loop) ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  public static Class<? extends ServerSocketChannel> serverSocketChannel(EventLoop loop) {
    return isEpoll(loop) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }
}
