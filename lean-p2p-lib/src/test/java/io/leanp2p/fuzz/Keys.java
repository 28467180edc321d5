package io.leanp2p.fuzz;

import io.leanp2p.crypto.Ed25519PrivateKey;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.transport.tcp.noise.X25519;
import io.leanp2p.util.DecodeException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** Fixed identities and a deterministic random source: a finding must replay from its input alone. */
final class Keys {
  static final Secp256k1PrivateKey LOCAL = secp("01");
  static final Secp256k1PrivateKey REMOTE = secp("02");
  static final Ed25519PrivateKey REMOTE_ED = ed("03");
  static final PeerId LOCAL_ID = PeerId.fromPublicKey(LOCAL.publicKey());
  static final PeerId REMOTE_ID = PeerId.fromPublicKey(REMOTE.publicKey());
  static final X25519.KeyPairRaw LOCAL_STATIC = X25519.fromPrivate(filled(0x11));
  static final X25519.KeyPairRaw REMOTE_STATIC = X25519.fromPrivate(filled(0x22));
  /** Fixed Noise ephemerals: a handshake between fixed keys is then the same computation each time. */
  static final X25519.KeyPairRaw LOCAL_EPHEMERAL = X25519.fromPrivate(filled(0x33));
  static final X25519.KeyPairRaw REMOTE_EPHEMERAL = X25519.fromPrivate(filled(0x44));

  private Keys() {}

  /** A SecureRandom whose output depends only on {@code seed}. */
  static SecureRandom random(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed); // seeded before first use: deterministic
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] filled(int b) {
    byte[] k = new byte[32];
    java.util.Arrays.fill(k, (byte) b);
    return k;
  }

  private static Secp256k1PrivateKey secp(String lastByte) {
    try {
      return Secp256k1PrivateKey.fromHex("00".repeat(31) + lastByte);
    } catch (DecodeException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Ed25519PrivateKey ed(String b) {
    try {
      return Ed25519PrivateKey.fromHex(b.repeat(32));
    } catch (DecodeException e) {
      throw new IllegalStateException(e);
    }
  }
}
