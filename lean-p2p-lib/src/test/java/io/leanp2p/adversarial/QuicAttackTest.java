package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.types.TransportKind;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Attacks on the QUIC listener: raw datagrams, half-open handshakes, stream floods. */
@Timeout(120)
class QuicAttackTest extends AttackSuite {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final MultiThreadIoEventLoopGroup attackers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

  @Override
  String victimName() {
    return "quic";
  }

  @AfterAll
  void stopAttackers() {
    attackers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private RawQuic peer(int attacker) throws Exception {
    return RawQuic.bind(attackers.next(), Attack.ip(attacker), Secp256k1PrivateKey.generate(RANDOM), RANDOM);
  }

  @Test
  void garbageDatagramsAreIgnored() throws Exception {
    int n = Attack.size(3_000, 50_000);
    Random r = new Random(3);
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(Attack.ip(0), 0))) {
      for (int i = 0; i < n; i++) {
        byte[] b = new byte[i % 3 == 0 ? 1200 : 1 + r.nextInt(1400)];
        r.nextBytes(b);
        if (i % 3 == 0) {
          b[0] = (byte) 0xc0; // a long header, as an Initial packet starts
          b[1] = 0;
          b[2] = 0;
          b[3] = 0;
          b[4] = 1; // QUIC v1
        }
        s.send(new DatagramPacket(b, b.length, victim.quic));
      }
    }
    victim.assertServesHonestPeer(TransportKind.QUIC);
  }

  @Test
  void halfOpenHandshakesDoNotLockOutAnHonestPeer() throws Exception {
    int n = Attack.size(60, 300);
    List<RawQuic> half = new ArrayList<>();
    try {
      for (int ip = 0; ip < 20; ip++) {
        half.add(peer(ip));
      }
      for (int i = 0; i < n; i++) {
        half.get(i % 20).startConnect(victim.quic); // one socket per IP, many connection ids
      }
      for (RawQuic q : half) {
        q.close(); // the Initial left; the rest of the handshake never comes
      }
      victim.assertServesHonestPeer(TransportKind.QUIC);
    } finally {
      half.forEach(RawQuic::close);
    }
  }

  @Test
  void streamFloodsGarbageAndSilentStreams() throws Exception {
    try (RawQuic q = peer(1)) {
      q.connect(victim.quic);
      int n = Attack.size(200, 2_000);
      for (int i = 0; i < n; i++) {
        byte[] b =
            switch (i % 4) {
              case 0 -> new byte[0]; // silent
              case 1 -> Attack.bytes(3000, i); // not multistream
              case 2 -> new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}; // oversized line
              default -> "\u0013/multistream/1.0.0\n\u000b/nope/1.0.0\n".getBytes(); // unknown protocol
            };
        try {
          q.stream(b);
        } catch (Exception e) {
          break; // stream credit used up: the victim limits concurrent streams
        }
      }
      victim.assertServesHonestPeer(TransportKind.QUIC);
      assertThat(q.connection().isActive()).as("a stream flood only costs the attacker its streams").isTrue();
    }
  }
}
