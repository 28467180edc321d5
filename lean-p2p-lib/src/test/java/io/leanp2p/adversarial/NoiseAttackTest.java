package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.types.TransportKind;
import io.leanp2p.transport.tcp.noise.NoisePayload;
import io.leanp2p.transport.tcp.noise.NoiseXX;
import io.leanp2p.transport.tcp.noise.X25519;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Attacks on the Noise XX handshake and on Noise transport frames. */
@Timeout(120)
class NoiseAttackTest extends AttackSuite {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  String victimName() {
    return "noise";
  }

  private RawTcp noiseSelected(int attacker) throws Exception {
    RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(attacker));
    t.select("/noise");
    return t;
  }

  @Test
  void malformedHandshakeMessagesAreRefused() throws Exception {
    // too short to hold an ephemeral key: refused at once
    for (byte[] b : List.of(frame(new byte[5]), frame(new byte[0]), frame(new byte[31]))) {
      try (RawTcp t = noiseSelected(b.length)) {
        t.tryWrite(b);
        assertThat(t.awaitClosedByRemote(Victim.T)).isTrue();
      }
    }
    // a maximal first message (any 32 bytes are an ephemeral key) and a truncated one: they only
    // cost the attacker a pending slot, which times out
    try (RawTcp big = noiseSelected(1);
        RawTcp truncated = noiseSelected(2)) {
      big.tryWrite(frame(Attack.bytes(65535, 1)));
      truncated.tryWrite(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2, 3});
      victim.assertServesHonestPeer(TransportKind.TCP);
    }
  }

  @Test
  void badThirdMessageAndForgedIdentityAreRefused() throws Exception {
    for (int mode = 0; mode < 3; mode++) {
      try (RawTcp t = noiseSelected(mode)) {
        X25519.KeyPairRaw key = X25519.generate(RANDOM);
        NoiseXX xx = new NoiseXX(true, key, RANDOM);
        RawNoise.writeHandshake(t, xx.writeMessage(new byte[0]));
        xx.readMessage(RawNoise.readHandshake(t));
        PrivateKey id = Secp256k1PrivateKey.generate(RANDOM);
        byte[] third =
            switch (mode) {
              case 0 -> Attack.bytes(200, mode); // garbage ciphertext
              // an identity that signed another static key
              case 1 -> xx.writeMessage(NoisePayload.build(id, X25519.generate(RANDOM).publicKey()));
              default -> xx.writeMessage(Attack.bytes(300, mode)); // not a payload protobuf
            };
        RawNoise.writeHandshake(t, third);
        assertThat(t.awaitClosedByRemote(Victim.T)).as("mode %d refused", mode).isTrue();
      }
    }
    victim.assertServesHonestPeer(TransportKind.TCP);
  }

  @Test
  void handshakesLeftHangingDoNotLockOutAnHonestPeer() throws Exception {
    int n = Attack.size(30, 150);
    List<RawTcp> hanging = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        RawTcp t = noiseSelected(i % 20);
        NoiseXX xx = new NoiseXX(true, X25519.generate(RANDOM), RANDOM);
        RawNoise.writeHandshake(t, xx.writeMessage(new byte[0])); // and never the third message
        hanging.add(t);
      }
      victim.assertServesHonestPeer(TransportKind.TCP);
    } finally {
      hanging.forEach(RawTcp::close);
    }
  }

  @Test
  void badTransportFramesCloseTheConnection() throws Exception {
    for (int mode = 0; mode < 4; mode++) {
      RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(mode));
      RawNoise n = RawNoise.handshake(t, Secp256k1PrivateKey.generate(RANDOM), RANDOM);
      byte[] bad =
          switch (mode) {
            case 0 -> new byte[] {0, 5, 1, 2, 3, 4, 5}; // shorter than the tag
            case 1 -> frame(Attack.bytes(1000, mode)); // fails authentication
            case 2 -> n.seal(Attack.bytes(5000, mode)); // authentic, but not multistream
            default -> n.seal(new byte[] {(byte) 0xff, (byte) 0xff, 0x7f}); // oversized multistream line
          };
      t.tryWrite(bad);
      assertThat(t.awaitClosedByRemote(Victim.T)).as("mode %d closed", mode).isTrue();
      t.close();
    }
    victim.assertServesHonestPeer(TransportKind.TCP);
  }

  @Test
  void floodOfEmptyTransportFrames() throws Exception {
    int frames = Attack.size(20_000, 200_000);
    try (RawTcp t = RawTcp.connect(victim.tcp, Attack.ip(5))) {
      RawNoise n = RawNoise.handshake(t, Secp256k1PrivateKey.generate(RANDOM), RANDOM);
      byte[] empty = n.seal(new byte[0]);
      java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < 1000; i++) {
        burst.writeBytes(n.seal(new byte[0]));
      }
      assertThat(empty).hasSize(18);
      for (int i = 0; i < frames / 1000 && t.tryWrite(burst.toByteArray()); i++) {
        burst.reset();
        for (int k = 0; k < 1000; k++) {
          burst.writeBytes(n.seal(new byte[0]));
        }
      }
      victim.assertServesHonestPeer(TransportKind.TCP);
    }
  }

  static byte[] frame(byte[] m) {
    byte[] f = new byte[2 + m.length];
    f[0] = (byte) (m.length >> 8);
    f[1] = (byte) m.length;
    System.arraycopy(m, 0, f, 2, m.length);
    return f;
  }
}
