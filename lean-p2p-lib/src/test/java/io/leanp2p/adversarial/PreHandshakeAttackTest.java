package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.types.TransportKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Attacks on a TCP connection before anything is authenticated: raw bytes and multistream. */
@Timeout(120)
class PreHandshakeAttackTest extends AttackSuite {
  @Override
  String victimName() {
    return "pre";
  }

  @Test
  void garbageInsteadOfMultistreamIsCutOff() throws Exception {
    int n = Attack.size(20, 200);
    for (int i = 0; i < n; i++) {
      try (RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(i % 8))) {
        t.tryWrite(Attack.bytes(4096, i));
        assertThat(t.awaitClosedByRemote(Victim.T)).as("connection %d closed", i).isTrue();
      }
    }
    victim.assertServesHonestPeer(TransportKind.TCP);
  }

  @Test
  void resetsDuringMultistreamNegotiation() throws Exception {
    int n = Attack.size(200, 500);
    byte[] header = "\u0013/multistream/1.0.0\n".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < n; i++) {
      RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(i % 8));
      t.tryWrite(header);
      if (i % 2 == 0) {
        try {
          t.msRead(); // the victim's answer, then the reset hits its next write or read
        } catch (java.io.IOException refused) {
          // beyond its IP's rate the victim closes at once: also fine
        }
      }
      t.reset();
    }
    victim.assertServesHonestPeer(TransportKind.TCP);
  }

  @Test
  void oversizedAndMalformedMultistreamMessages() throws Exception {
    List<byte[]> bad =
        List.of(
            new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, // 4 GiB - 1 declared
            new byte[] {(byte) 0x81, 0x08}, // 1024 + 1 declared
            new byte[] {0x00}, // empty message
            new byte[] {0x05, 'a', 'b', 'c', 'd', 'e'}, // no newline
            "\u0013/multistream/2.0.0\n".getBytes(StandardCharsets.UTF_8), // wrong header
            new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}); // 11-byte varint
    for (byte[] b : bad) {
      try (RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(1))) {
        t.tryWrite(b);
        assertThat(t.awaitClosedByRemote(Victim.T)).isTrue();
      }
    }
    victim.assertServesHonestPeer(TransportKind.TCP);
  }

  @Test
  void negotiationLoopsAreCutOff() throws Exception {
    // unknown protocols and "ls" forever: the listener answers a bounded number, then closes
    for (String proposal : List.of("/nope/1.0.0", "ls")) {
      try (RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(2))) {
        t.msSend("/multistream/1.0.0");
        boolean closed = false;
        for (int i = 0; i < 10_000 && !closed; i++) {
          closed = !t.tryWrite(encode(proposal));
        }
        assertThat(closed || t.awaitClosedByRemote(Victim.T)).as("loop of %s cut off", proposal).isTrue();
      }
    }
    victim.assertServesHonestPeer(TransportKind.TCP);
  }

  @Test
  void silentConnectionsDoNotLockOutAnHonestPeer() throws Exception {
    int n = Attack.size(100, 300);
    List<RawTcp> silent = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        silent.add(RawTcp.connect(victim.tcp, Attack.ip(i % 30)));
      }
      victim.assertServesHonestPeers(); // while they are all still open on our side
      for (RawTcp t : silent) {
        assertThat(t.awaitClosedByRemote(Victim.T)).as("silent connection dropped").isTrue();
      }
    } finally {
      silent.forEach(RawTcp::close);
    }
  }

  @Test
  void slowlorisTrickledHeader() throws Exception {
    int n = Attack.size(20, 100);
    byte[] hello = "\u0013/multistream/1.0.0\n\u0007/noise\n".getBytes(StandardCharsets.UTF_8);
    List<RawTcp> slow = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        slow.add(RawTcp.connect(victim.tcp, Attack.ip(i % 10)));
      }
      Thread trickler =
          new Thread(
              () -> {
                for (int k = 0; k < hello.length - 1; k++) {
                  for (RawTcp t : slow) {
                    t.tryWrite(new byte[] {hello[k]});
                  }
                  try {
                    Thread.sleep(500); // the attack's pace, not a wait for the victim
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "slowloris");
      trickler.setDaemon(true);
      trickler.start();
      victim.assertServesHonestPeers();
      trickler.interrupt();
      trickler.join();
    } finally {
      slow.forEach(RawTcp::close);
    }
  }

  private static byte[] encode(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[b.length + 2];
    out[0] = (byte) (b.length + 1);
    System.arraycopy(b, 0, out, 1, b.length);
    out[out.length - 1] = '\n';
    return out;
  }
}
