package io.leanp2p.transport.quic;

import static io.leanp2p.transport.quic.QuicTransportTest.awaitStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.transport.quic.CertificateRejectedException.Reason;
import io.netty.channel.Channel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.config.QuicConfig;

/** Bad certificates, silent peers and limits, end to end over loopback QUIC. */
@Timeout(90)
class QuicFaultTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static TestCerts certs(Consumer<TestCerts> spoil) {
    TestCerts t = new TestCerts(Secp256k1PrivateKey.generate(RANDOM), RANDOM);
    spoil.accept(t);
    return t;
  }

  @Test
  void inboundClientsWithBadCertificatesAreRejectedTypedAndCountedWithoutAConnection()
      throws Exception {
    record Case(Reason reason, Consumer<TestCerts> spoil, boolean twoCerts) {}
    Case[] cases = {
      new Case(Reason.MISSING_EXTENSION, t -> t.withExtension = false, false),
      new Case(Reason.MALFORMED_EXTENSION, t -> t.extensionValue = new byte[] {0x30, 0x00}, false),
      new Case(Reason.BAD_SIGNATURE, t -> t.signOtherKey = true, false),
      new Case(
          Reason.EXPIRED,
          t -> {
            t.notBefore = Instant.now().minus(Duration.ofDays(3));
            t.notAfter = Instant.now().minus(Duration.ofDays(1));
          },
          false),
      new Case(
          Reason.UNSUPPORTED_KEY_TYPE,
          t -> t.publicKeyProtobuf = new byte[] {0x08, 0x00, 0x12, 0x02, 1, 2},
          false),
      new Case(Reason.CHAIN_LENGTH, t -> {}, true),
    };
    try (QuicNode b = new QuicNode(QuicConfig.defaults())) {
      InetSocketAddress addr = b.listen().toSocketAddress();
      int n = 0;
      for (Case c : cases) {
        n++;
        TestCerts t = certs(c.spoil());
        X509Certificate cert = t.buildJdk();
        X509Certificate[] chain =
            c.twoCerts() ? new X509Certificate[] {cert, certs(x -> {}).buildJdk()} : new X509Certificate[] {cert};
        Channel udp = RawQuic.client(b.loop, t.lastKey.getPrivate(), chain);
        try {
          Future<QuicChannel> f = RawQuic.connect(udp, addr);
          f.await(10, TimeUnit.SECONDS);
          if (f.isSuccess()) { // TLS 1.3: the server judges the client's certificate last
            assertThat(f.getNow().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
          }
        } finally {
          udp.close().sync();
        }
        int expected = n;
        awaitStats(b, s -> s.certRejections(c.reason()) == 1 && s.handshakeFailures() == expected);
      }
      QuicTransportStats s = b.transport.stats();
      assertThat(s.inboundAccepted()).isZero();
      assertThat(s.openConnections()).isZero();
      assertThat(b.connections).isEmpty();
    }
  }

  @Test
  void dialingAServerWithABadCertificateFailsTypedAndCounted() throws Exception {
    record Case(Reason reason, Consumer<TestCerts> spoil) {}
    Case[] cases = {
      new Case(Reason.MISSING_EXTENSION, t -> t.withExtension = false),
      new Case(Reason.BAD_SIGNATURE, t -> t.signOtherKey = true),
      new Case(
          Reason.EXPIRED,
          t -> {
            t.notBefore = Instant.now().minus(Duration.ofDays(3));
            t.notAfter = Instant.now().minus(Duration.ofDays(1));
          }),
    };
    try (QuicNode a = new QuicNode(QuicConfig.defaults())) {
      for (Case c : cases) {
        TestCerts t = certs(c.spoil());
        X509Certificate cert = t.buildJdk();
        Channel server = RawQuic.server(a.loop, t.lastKey.getPrivate(), cert);
        try {
          Multiaddr addr = Multiaddr.quic((InetSocketAddress) server.localAddress());
          var f = a.transport.dial(addr, null, Duration.ofSeconds(10));
          assertThatThrownBy(() -> f.get(15, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isInstanceOf(ConnectionException.class)
              .satisfies(
                  e -> {
                    CloseReason r = ((ConnectionException) e).reason();
                    assertThat(r.kind()).isEqualTo(CloseReason.Kind.HANDSHAKE_FAILED);
                    assertThat(r.detail()).startsWith(c.reason().name());
                  });
          assertThat(a.transport.stats().certRejections(c.reason())).isEqualTo(1);
        } finally {
          server.close().sync();
        }
      }
      awaitStats(a, s -> s.openUdpChannels() == 1 && s.dialsFailed() == 3 && s.handshakeFailures() == 3);
      assertThat(a.connections).isEmpty();
    }
  }

  @Test
  void aPeerThatStopsAnsweringIsDetectedByTheIdleTimeout() throws Exception {
    QuicConfig cfg = QuicConfig.defaults().withKeepAliveInterval(Duration.ZERO).withIdleTimeout(Duration.ofMillis(800));
    try (QuicNode a = new QuicNode(cfg);
        QuicNode b = new QuicNode(cfg)) {
      InetSocketAddress bAddr = b.listen().toSocketAddress();
      try (UdpRelay relay = new UdpRelay(b.loop, bAddr)) {
        Connection ca = a.dial(b, Multiaddr.quic(relay.address()));
        Connection cb = b.connections.poll(10, TimeUnit.SECONDS);
        assertThat(a.echo(ca, new byte[] {1}).get(10, TimeUnit.SECONDS).bytes()).isEqualTo(1);
        relay.drop = true;
        long t0 = System.nanoTime();
        assertThat(ca.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isGreaterThanOrEqualTo(500).isLessThan(5000);
        assertThat(ca.closeReason().kind()).isEqualTo(CloseReason.Kind.TIMEOUT);
        assertThat(cb.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(cb.closeReason().kind()).isEqualTo(CloseReason.Kind.TIMEOUT);
        awaitStats(a, s -> s.idleTimeouts() == 1 && s.openConnections() == 0 && s.openUdpChannels() == 1);
        awaitStats(b, s -> s.idleTimeouts() == 1 && s.openConnections() == 0);
      }
    }
  }

  @Test
  void keepAliveHookKeepsAQuietConnectionOpenPastTheIdleTimeout() throws Exception {
    QuicConfig cfg =
        QuicConfig.defaults().withKeepAliveInterval(Duration.ofMillis(200)).withIdleTimeout(Duration.ofMillis(800));
    QuicNode[] self = new QuicNode[1];
    // keep-alive probe: one byte echoed over a fresh multistream-negotiated stream
    try (QuicNode a = new QuicNode(cfg, Secp256k1PrivateKey.generate(RANDOM), c -> self[0].echo(c, new byte[] {7}));
        QuicNode b = new QuicNode(cfg.withKeepAliveInterval(Duration.ZERO))) {
      self[0] = a;
      Connection ca = a.dial(b, b.listen());
      Thread.sleep(2500); // > 3 idle timeouts without application traffic
      assertThat(a.call(ca::isOpen)).isTrue();
      assertThat(a.transport.stats().keepAliveProbes()).isGreaterThanOrEqualTo(3);
      assertThat(a.transport.stats().idleTimeouts()).isZero();
    }
  }

  @Test
  void withoutKeepAliveAQuietHealthyConnectionIdlesOut() throws Exception {
    // Netty 4.2.18 cannot send a QUIC PING (see NettyQuicLimitationsTest), so without the hook a
    // quiet connection between two healthy Java peers closes after the idle timeout.
    QuicConfig cfg = QuicConfig.defaults().withKeepAliveInterval(Duration.ZERO).withIdleTimeout(Duration.ofMillis(600));
    try (QuicNode a = new QuicNode(cfg);
        QuicNode b = new QuicNode(cfg)) {
      Connection ca = a.dial(b, b.listen());
      assertThat(ca.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(ca.closeReason().kind()).isEqualTo(CloseReason.Kind.TIMEOUT);
    }
  }

  @Test
  void inboundConnectionsBeyondTheLimitAreRefusedAndCounted() throws Exception {
    try (QuicNode a1 = new QuicNode(QuicConfig.defaults());
        QuicNode a2 = new QuicNode(QuicConfig.defaults());
        QuicNode b = new QuicNode(QuicConfig.defaults().withMaxConnections(1))) {
      Multiaddr addr = b.listen();
      Connection c1 = a1.dial(b, addr);
      assertThat(b.connections.poll(10, TimeUnit.SECONDS)).isNotNull();
      var f2 = a2.transport.dial(addr, b.peerId, Duration.ofSeconds(10));
      f2.await(15, TimeUnit.SECONDS);
      if (f2.isSuccess()) { // handshake may finish before the server's refusal arrives
        Connection c2 = f2.getNow();
        assertThat(c2.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(c2.closeReason().detail()).contains("connection limit");
      }
      awaitStats(b, s -> s.inboundRejected() == 1 && s.inboundAccepted() == 1 && s.openConnections() == 1);
      assertThat(b.connections).isEmpty();
      assertThat(a1.call(c1::isOpen)).isTrue();
    }
  }
}
