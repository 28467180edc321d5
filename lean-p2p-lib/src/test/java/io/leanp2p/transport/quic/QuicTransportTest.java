package io.leanp2p.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.crypto.Ed25519PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.types.TransportKind;
import io.netty.buffer.ByteBuf;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.config.QuicConfig;

@Timeout(60)
class QuicTransportTest {
  private static final QuicConfig CFG = QuicConfig.defaults();

  @Test
  void dialProvesBothPeerIdsAndReportsQuicAddresses() throws Exception {
    try (QuicNode a = new QuicNode(CFG);
        QuicNode b = new QuicNode(CFG)) {
      Multiaddr addr = b.listen();
      assertThat(addr.toString()).startsWith("/ip4/127.0.0.1/udp/").endsWith("/quic-v1");
      Connection ca = a.dial(b, addr);
      Connection cb = b.connections.poll(10, TimeUnit.SECONDS);
      assertThat(cb).isNotNull();
      assertThat(a.connections.poll(1, TimeUnit.SECONDS)).isSameAs(ca);

      assertThat(ca.remotePeer()).isEqualTo(b.peerId);
      assertThat(cb.remotePeer()).isEqualTo(a.peerId);
      assertThat(ca.direction()).isEqualTo(Direction.OUTBOUND);
      assertThat(cb.direction()).isEqualTo(Direction.INBOUND);
      assertThat(ca.transport()).isEqualTo(TransportKind.QUIC);
      assertThat(ca.remoteAddress()).isEqualTo(addr.withP2p(b.peerId.toBytes()));
      assertThat(cb.remoteAddress().toString())
          .startsWith("/ip4/127.0.0.1/udp/")
          .endsWith("/quic-v1/p2p/" + a.peerId);
      assertThat(ca.localAddress().isQuic()).isTrue();
      assertThat(a.call(ca::isOpen)).isTrue();

      QuicNode.Echoed e = a.echo(ca, "hello quic".getBytes()).get(10, TimeUnit.SECONDS);
      assertThat(e.bytes()).isEqualTo(10);
      assertThat(e.sha256()).isEqualTo(QuicNode.sha256("hello quic".getBytes()));
      assertThat(e.remoteFin()).isTrue();
      assertThat(e.reset()).isFalse();

      assertThat(a.transport.stats().dialsSucceeded()).isEqualTo(1);
      assertThat(b.transport.stats().inboundAccepted()).isEqualTo(1);
      assertThat(a.transport.stats().openConnections()).isEqualTo(1);

      // clean close seen on both sides, with the right reasons
      a.call(
          () -> {
            ca.close("test done");
            return null;
          });
      ca.closeFuture().await(5, TimeUnit.SECONDS);
      cb.closeFuture().await(5, TimeUnit.SECONDS);
      assertThat(ca.closeReason().kind()).isEqualTo(CloseReason.Kind.LOCAL_CLOSE);
      assertThat(cb.closeReason().kind()).isEqualTo(CloseReason.Kind.REMOTE_CLOSE);
      assertThat(cb.closeReason().detail()).contains("test done");
      awaitStats(a, s -> s.openConnections() == 0 && s.openUdpChannels() == 1 && s.openStreams() == 0);
      awaitStats(b, s -> s.openConnections() == 0 && s.openUdpChannels() == 1 && s.openStreams() == 0);
    }
  }

  @Test
  void ed25519IdentitiesWorkToo() throws Exception {
    try (QuicNode a = new QuicNode(CFG, Ed25519PrivateKey.generate(new SecureRandom()), null);
        QuicNode b = new QuicNode(CFG, Ed25519PrivateKey.generate(new SecureRandom()), null)) {
      Connection ca = a.dial(b, b.listen());
      assertThat(ca.remotePeer()).isEqualTo(b.peerId);
      assertThat(b.connections.poll(10, TimeUnit.SECONDS).remotePeer()).isEqualTo(a.peerId);
      assertThat(a.echo(ca, new byte[] {1, 2, 3}).get(10, TimeUnit.SECONDS).bytes()).isEqualTo(3);
    }
  }

  @Test
  void wrongExpectedPeerIdFailsTheDialWithPeerIdMismatch() throws Exception {
    try (QuicNode a = new QuicNode(CFG);
        QuicNode b = new QuicNode(CFG);
        QuicNode c = new QuicNode(CFG)) {
      Multiaddr addr = b.listen();
      var f = a.transport.dial(addr, c.peerId, Duration.ofSeconds(10));
      assertThatThrownBy(() -> f.get(15, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(ConnectionException.class)
          .satisfies(
              ex -> {
                CloseReason r = ((ConnectionException) ex).reason();
                assertThat(r.kind()).isEqualTo(CloseReason.Kind.PEER_ID_MISMATCH);
                assertThat(r.detail()).contains(c.peerId.toString()).contains(b.peerId.toString());
              });
      assertThat(a.transport.stats().certRejections(CertificateRejectedException.Reason.PEER_ID_MISMATCH))
          .isEqualTo(1);
      assertThat(a.transport.stats().dialsFailed()).isEqualTo(1);
      awaitStats(a, s -> s.openUdpChannels() == 1 && s.openConnections() == 0);
      assertThat(a.connections).isEmpty();
      // the handshake itself failed (the client rejected b's certificate): b never had a connection
      Thread.sleep(500); // asserting an absence: give a late announcement the chance to show up
      assertThat(b.connections).isEmpty();
      assertThat(b.transport.stats().inboundAccepted()).isZero();
    }
  }

  @Test
  void hundredStreamsInARowThenTenMiBOnOneStream() throws Exception {
    try (QuicNode a = new QuicNode(CFG);
        QuicNode b = new QuicNode(CFG)) {
      Connection ca = a.dial(b, b.listen());
      Random r = new Random(42);
      for (int i = 0; i < 100; i++) {
        byte[] p = new byte[1 + r.nextInt(2000)];
        r.nextBytes(p);
        QuicNode.Echoed e = a.echo(ca, p).get(10, TimeUnit.SECONDS);
        assertThat(e.sha256()).as("stream %d", i).isEqualTo(QuicNode.sha256(p));
      }
      byte[] big = new byte[10 * 1024 * 1024];
      r.nextBytes(big);
      long t0 = System.nanoTime();
      QuicNode.Echoed e = a.echo(ca, big).get(30, TimeUnit.SECONDS);
      System.err.printf("10 MiB echo took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      assertThat(e.bytes()).isEqualTo(big.length);
      assertThat(e.sha256()).isEqualTo(QuicNode.sha256(big));
      assertThat(a.transport.stats().streamsOpened()).isEqualTo(101);
      awaitStats(a, s -> s.openStreams() == 0);
      awaitStats(b, s -> s.openStreams() == 0 && s.streamsOpened() == 101);
    }
  }

  /**
   * Packets start at QUIC's 1200 bytes and path MTU discovery raises them to {@link
   * QuicTransport#MAX_SEND_UDP_PAYLOAD} once the peer acknowledged a probe of that size (loopback
   * carries it): 17 % fewer packets, and so less encryption and syscall work per byte.
   */
  @Test
  void pathMtuDiscoveryRaisesThePacketSizeToTheProbedMaximum() throws Exception {
    try (QuicNode a = new QuicNode(CFG);
        QuicNode b = new QuicNode(CFG)) {
      Connection ca = a.dial(b, b.listen());
      io.netty.handler.codec.quic.QuicChannel ch = ((QuicConnection) ca).channel();
      byte[] p = new byte[256 * 1024];
      new Random(3).nextBytes(p);
      long pmtu = 0;
      // traffic carries the probes; the size is raised when a probe's acknowledgement arrives
      for (int i = 0; i < 5 && pmtu != QuicTransport.MAX_SEND_UDP_PAYLOAD; i++) {
        assertThat(a.echo(ca, p).get(10, TimeUnit.SECONDS).sha256()).isEqualTo(QuicNode.sha256(p));
        pmtu = ch.collectPathStats(0).get(5, TimeUnit.SECONDS).pmtu();
      }
      assertThat(pmtu).isEqualTo(QuicTransport.MAX_SEND_UDP_PAYLOAD);
    }
  }

  @Test
  void pausedReadingStopsTheSenderAtTheWindowAndResumingDeliversEverything() throws Exception {
    QuicConfig small = CFG.withWindows(64 * 1024, 128 * 1024);
    try (QuicNode a = new QuicNode(small);
        QuicNode b = new QuicNode(small)) {
      long[] received = new long[1];
      boolean[] fin = new boolean[1];
      MuxedStream[] sink = new MuxedStream[1];
      b.registry.register(
          "/leanp2p/test/paused-sink/1.0.0",
          (s, leftover) -> {
            received[0] += leftover.readableBytes();
            leftover.release();
            sink[0] = s;
            s.setReadPaused(true); // before the handler: nothing is read until resumed
            s.handler(
                new StreamHandler() {
                  @Override
                  public void onData(MuxedStream st, ByteBuf data) {
                    received[0] += data.readableBytes();
                    data.release();
                  }

                  @Override
                  public void onRemoteClose(MuxedStream st) {
                    fin[0] = true;
                    st.closeWrite();
                  }
                });
          });
      Connection ca = a.dial(b, b.listen());
      MuxedStream s = a.openProtocol(ca, "/leanp2p/test/paused-sink/1.0.0").get(10, TimeUnit.SECONDS);
      int total = 1 << 20;
      a.call(
          () -> {
            for (int off = 0; off < total; off += 16384) {
              s.write(s.alloc().buffer(16384).writeZero(16384));
            }
            s.closeWrite();
            return null;
          });
      // the sender is held back by the 64 KiB stream window: it stops being writable
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (a.call(s::isWritable) && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(a.call(s::isWritable)).as("sender blocked by the window").isFalse();
      Thread.sleep(300);
      assertThat(b.call(() -> received[0])).isLessThanOrEqualTo(64 * 1024);
      assertThat(b.call(() -> fin[0])).isFalse();
      b.call(
          () -> {
            sink[0].setReadPaused(false);
            return null;
          });
      end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!b.call(() -> fin[0]) && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(b.call(() -> received[0])).isEqualTo(total);
      assertThat(b.call(() -> fin[0])).isTrue();
    }
  }

  static void awaitStats(QuicNode n, java.util.function.Predicate<QuicTransportStats> p)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!p.test(n.transport.stats())) {
      if (System.nanoTime() > end) {
        throw new AssertionError("stats never matched: " + n.transport.stats());
      }
      Thread.sleep(10);
    }
  }
}
