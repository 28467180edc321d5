package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.types.TransportKind;
import io.leanp2p.transport.tcp.yamux.YamuxFrame;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Attacks on Yamux inside an authenticated Noise session. */
@Timeout(120)
class YamuxAttackTest extends AttackSuite {
  private static final SecureRandom RANDOM = new SecureRandom();
  private int attacker;

  @Override
  String victimName() {
    return "yamux";
  }

  private RawYamux session() throws Exception {
    RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(attacker++ % 50));
    return RawYamux.open(RawNoise.handshake(t, Secp256k1PrivateKey.generate(RANDOM), RANDOM));
  }

  private void assertClosedAfter(byte[] plaintext, String what) throws Exception {
    RawYamux y = session();
    try (RawTcp t = y.noise().tcp()) {
      y.trySend(plaintext);
      assertThat(t.awaitClosedByRemote(Victim.T)).as(what).isTrue();
    }
  }

  @Test
  void malformedFramesCloseTheConnection() throws Exception {
    assertClosedAfter(RawYamux.header(1, YamuxFrame.TYPE_PING, YamuxFrame.SYN, 0, 1), "bad version");
    assertClosedAfter(RawYamux.header(0, 7, 0, 1, 0), "bad type");
    assertClosedAfter(RawYamux.header(0, YamuxFrame.TYPE_DATA, YamuxFrame.SYN, 1, 0xffffffffL), "4 GiB data frame");
    assertClosedAfter(RawYamux.frame(YamuxFrame.TYPE_DATA, 0, 0, new byte[10]), "data on stream 0");
    assertClosedAfter(RawYamux.header(0, YamuxFrame.TYPE_PING, YamuxFrame.SYN, 5, 1), "ping on a stream");
    assertClosedAfter(RawYamux.header(0, YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.SYN, 2, 0), "SYN with our parity");
    assertClosedAfter(RawYamux.header(0, YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_PROTOCOL_ERROR), "GoAway(error)");
    // a stream id reused below the last one
    ByteArrayOutputStream reuse = new ByteArrayOutputStream();
    reuse.writeBytes(RawYamux.frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.SYN, 7, new byte[0]));
    reuse.writeBytes(RawYamux.frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.SYN, 3, new byte[0]));
    assertClosedAfter(reuse.toByteArray(), "SYN below the last stream id");
    victim.assertServesHonestPeer(TransportKind.TCP);
  }

  @Test
  void windowViolationsCloseTheConnection() throws Exception {
    // 300 KiB on a new stream whose window is 256 KiB
    assertClosedAfter(
        RawYamux.frame(YamuxFrame.TYPE_DATA, YamuxFrame.SYN, 1, new byte[300 * 1024]), "data beyond the window");
    // a window update that overflows the 32-bit window
    ByteArrayOutputStream over = new ByteArrayOutputStream();
    over.writeBytes(RawYamux.frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.SYN, 1, new byte[0]));
    over.writeBytes(RawYamux.header(0, YamuxFrame.TYPE_WINDOW_UPDATE, 0, 1, 0xffffffffL));
    assertClosedAfter(over.toByteArray(), "window overflow");
    victim.assertServesHonestPeer(TransportKind.TCP);
  }

  @Test
  void streamFloodIsRefusedStreamByStream() throws Exception {
    int n = Attack.size(3_000, 20_000);
    RawYamux y = session();
    try (RawTcp t = y.noise().tcp()) {
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      for (int i = 0; i < n; i++) {
        burst.writeBytes(RawYamux.frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.SYN, y.nextStreamId(), new byte[0]));
        if (burst.size() > 60_000) {
          y.trySend(burst.toByteArray());
          burst.reset();
        }
      }
      y.trySend(burst.toByteArray());
      victim.assertServesHonestPeer(TransportKind.TCP);
    }
  }

  @Test
  void silentStreamsDoNotStarveOthers() throws Exception {
    int n = Attack.size(300, 1000);
    RawYamux y = session();
    try (RawTcp t = y.noise().tcp()) {
      for (int i = 0; i < n; i++) {
        y.openStream(); // never negotiates a protocol
      }
      victim.assertServesHonestPeer(TransportKind.TCP);
    }
  }

  @Test
  void unknownStreamsAndStrayFlagsAreIgnored() throws Exception {
    RawYamux y = session();
    try (RawTcp t = y.noise().tcp()) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int i = 0; i < 500; i++) {
        int id = 1001 + 2 * i;
        b.writeBytes(RawYamux.frame(YamuxFrame.TYPE_DATA, YamuxFrame.FIN | YamuxFrame.RST, id, new byte[0]));
        b.writeBytes(RawYamux.header(0, YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.ACK, id, 1000));
      }
      y.send(b.toByteArray());
      victim.assertServesHonestPeer(TransportKind.TCP);
      assertThat(t.awaitClosedByRemote(java.time.Duration.ofMillis(200))).as("stray frames are no reason to close").isFalse();
    }
  }

  @Test
  void pingFloodFromAPeerThatNeverReads() throws Exception {
    int pings = Attack.size(30_000, 3_000_000);
    RawYamux y = session();
    try (RawTcp t = y.noise().tcp()) {
      byte[] ping = RawYamux.header(0, YamuxFrame.TYPE_PING, YamuxFrame.SYN, 0, 42);
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      for (int i = 0; i < 5000; i++) {
        burst.writeBytes(ping);
      }
      byte[] b = burst.toByteArray();
      boolean cut = false;
      for (int i = 0; i < pings / 5000 && !cut; i++) {
        cut = !y.trySend(b); // we never read the answers
      }
      // once its write buffer to us is full the victim stops answering instead of queueing
      // 12 bytes per ping without bound
      victim.assertServesHonestPeer(TransportKind.TCP);
      assertThat(victim.metric("leanp2p_yamux_errors_total", java.util.Map.of("reason", "control_dropped")))
          .as("ping answers dropped").isGreaterThan(0);
    }
  }
}
