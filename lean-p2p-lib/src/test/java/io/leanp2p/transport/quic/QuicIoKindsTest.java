package io.leanp2p.transport.quic;

import static io.leanp2p.transport.quic.QuicTransportTest.awaitStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.EventLoops;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import io.leanp2p.config.QuicConfig;

/**
 * The QUIC transport on both kinds of event loop: epoll (recvmmsg / sendmmsg, the default on Linux)
 * and NIO (the fallback elsewhere), against each other in both directions; and the one client
 * endpoint that all dials share.
 */
class QuicIoKindsTest {
  private static final Supplier<IoHandlerFactory> NIO = NioIoHandler::newFactory;
  private static final Supplier<IoHandlerFactory> EPOLL = EpollIoHandler::newFactory;

  private static void assumeEpoll() {
    if (System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
        && System.getProperty("os.arch").equals("amd64")) {
      // the linux-x86_64 native library ships with the library: it must load here
      assertThat(EventLoops.nativeIoAvailable()).as("epoll available on linux-x86_64").isTrue();
    }
    assumeTrue(EventLoops.nativeIoAvailable(), "native epoll not available here");
  }

  /** 6 MiB echoed both ways over one stream: many full recvmmsg batches, flow control, FIN. */
  private static void echoBetween(Supplier<IoHandlerFactory> dialer, Supplier<IoHandlerFactory> listener)
      throws Exception {
    try (QuicNode a = new QuicNode(QuicConfig.defaults(), dialer.get());
        QuicNode b = new QuicNode(QuicConfig.defaults(), listener.get())) {
      Multiaddr addr = b.listen();
      Connection c = a.dial(b, addr);
      byte[] payload = new byte[6 << 20];
      new Random(42).nextBytes(payload);
      QuicNode.Echoed e = a.echo(c, payload).get(60, TimeUnit.SECONDS);
      assertThat(e.bytes()).isEqualTo(payload.length);
      assertThat(e.sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
      assertThat(e.remoteFin()).isTrue();
      assertThat(e.reset()).isFalse();
    }
  }

  @Test
  void epollDialsEpoll() throws Exception {
    assumeEpoll();
    echoBetween(EPOLL, EPOLL);
  }

  @Test
  void epollDialsNio() throws Exception {
    assumeEpoll();
    echoBetween(EPOLL, NIO);
  }

  @Test
  void nioDialsEpoll() throws Exception {
    assumeEpoll();
    echoBetween(NIO, EPOLL);
  }

  @Test
  void nioDialsNio() throws Exception {
    echoBetween(NIO, NIO);
  }

  @Test
  void allDialsShareOneClientEndpointThatClosesWithTheTransport() throws Exception {
    try (QuicNode a = new QuicNode(QuicConfig.defaults());
        QuicNode b = new QuicNode(QuicConfig.defaults());
        QuicNode c = new QuicNode(QuicConfig.defaults())) {
      Multiaddr toB = b.listen();
      Multiaddr toC = c.listen();
      List<Connection> conns = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        conns.add(a.dial(b, toB));
        conns.add(a.dial(c, toC));
      }
      for (Connection conn : conns) {
        assertThat(a.echo(conn, new byte[] {1, 2, 3}).get(10, TimeUnit.SECONDS).bytes()).isEqualTo(3);
      }
      // six connections to two peers, one local UDP socket (and one local port) for all of them
      assertThat(a.transport.stats().openConnections()).isEqualTo(6);
      assertThat(a.transport.stats().openUdpChannels()).isEqualTo(1);
      assertThat(conns.stream().map(x -> x.localAddress().toString()).distinct()).hasSize(1);
      a.transport.closeAsync().get(10, TimeUnit.SECONDS);
      awaitStats(a, s -> s.openUdpChannels() == 0 && s.openConnections() == 0);
    }
  }
}
