package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.types.TransportKind;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #14 item 3: a remote peer cannot control how much the node logs. 500 resets at every
 * stage of a connection (during multistream, inside the Noise handshake, on an established
 * connection) and QUIC peers that vanish, with the library's DEBUG lines captured too: at INFO
 * and above the victim writes a bounded number of lines for all of it; at DEBUG, each failure is
 * a few single lines, and no line at any level carries a stack trace.
 */
@Timeout(180)
class LogHygieneTest extends AttackSuite {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  String victimName() {
    return "logs";
  }

  @Test
  void resetsAtEveryStageLogBoundedSingleLines() throws Exception {
    int n = Attack.size(100, 500);
    byte[] header = "\u0013/multistream/1.0.0\n\u0007/noise\n".getBytes(StandardCharsets.UTF_8);
    try (LogCapture debug = LogCapture.attach().withDebug("io.leanp2p", "io.netty.channel", "io.netty.handler.codec.quic")) {
      MultiThreadIoEventLoopGroup quicLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      try {
        for (int i = 0; i < n; i++) {
          int ip = i % 100; // 5 per address: within its burst, so each one reaches the stage
          switch (i % 5) {
            case 0 -> { // reset during multistream
              RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(ip));
              t.tryWrite(header);
              t.reset();
            }
            case 1 -> { // reset inside the Noise handshake
              RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(ip));
              t.select("/noise");
              t.tryWrite(NoiseAttackTest.frame(new byte[32]));
              t.reset();
            }
            case 2, 3 -> { // reset on an established connection (a peer that came and went)
              RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(ip));
              RawYamux.open(RawNoise.handshake(t, Secp256k1PrivateKey.generate(RANDOM), RANDOM));
              t.reset();
            }
            default -> { // a QUIC peer whose socket vanishes after the handshake
              RawQuic q = RawQuic.bind(quicLoop.next(), Attack.ip(ip), Secp256k1PrivateKey.generate(RANDOM), RANDOM);
              q.connect(victim.quic);
              q.closeSocketOnly();
            }
          }
        }
        victim.assertServesHonestPeers();
      } finally {
        quicLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      }
      List<ILoggingEvent> victimLines =
          debug.events(e -> e.getThreadName().startsWith("lean-p2p-logs-") && !e.getThreadName().contains("-honest"));
      assertThat(victimLines.stream().filter(e -> e.getThrowableProxy() != null).toList())
          .as("lines with a stack trace:%s", LogCapture.describe(victimLines))
          .isEmpty();
      assertThat(victimLines.stream().filter(e -> e.getFormattedMessage().contains("\n")).count()).isZero();
      assertThat(victimLines.size()).as("DEBUG and up for %d failed connections", n).isLessThanOrEqualTo(8 * n);
      assertThat(victimLines.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).count())
          .as("INFO and up:%s", LogCapture.describe(victimLines.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList()))
          .isLessThanOrEqualTo(MAX_LOG_LINES);
    }
  }
}
