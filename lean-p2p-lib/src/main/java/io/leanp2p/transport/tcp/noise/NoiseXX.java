package io.leanp2p.transport.tcp.noise;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The handshake state machine of {@code Noise_XX_25519_ChaChaPoly_SHA256} (empty prologue):
 *
 * <pre>
 *   -&gt; e
 *   &lt;- e, ee, s, es
 *   -&gt; s, se
 * </pre>
 *
 * Pure: byte arrays in and out, no I/O, no libp2p specifics (the caller puts the libp2p payload in
 * messages 2 and 3). After the third message {@link #split()} yields the transport ciphers.
 */
public final class NoiseXX {
  public static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
  /** Largest handshake message (it travels in one u16 frame). */
  public static final int MAX_MESSAGE = 65535;

  private final boolean initiator;
  private final X25519.KeyPairRaw s;
  private final SecureRandom random;
  private final Dh dh;
  private final SymmetricState ss = new SymmetricState(PROTOCOL_NAME);
  private X25519.KeyPairRaw e;
  private byte[] re;
  private byte[] rs;
  private int step; // messages processed so far (0..3)
  private boolean failed;

  /**
   * @param initiator whether we send the first message
   * @param staticKey our static X25519 key (one per network)
   * @param random source of the ephemeral key
   */
  public NoiseXX(boolean initiator, X25519.KeyPairRaw staticKey, SecureRandom random) {
    this(initiator, staticKey, random, X25519::dh);
  }

  /**
   * With the key agreement given: the fuzz targets pass X25519 with its results cached (a pure
   * function of its arguments), so that a handshake between fixed keys costs no scalar
   * multiplication.
   */
  NoiseXX(boolean initiator, X25519.KeyPairRaw staticKey, SecureRandom random, Dh dh) {
    this.initiator = initiator;
    this.s = staticKey;
    this.random = random;
    this.dh = dh;
    ss.mixHash(new byte[0]); // empty prologue
  }

  /** X25519 key agreement: {@link X25519#dh}, or a stand-in with the same results. */
  @FunctionalInterface
  interface Dh {
    byte[] agree(java.security.PrivateKey priv, byte[] remotePublic) throws NoiseException;
  }

  /** For deterministic test vectors: use this ephemeral instead of a random one. */
  NoiseXX withEphemeral(X25519.KeyPairRaw ephemeral) {
    this.e = ephemeral;
    return this;
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** Whether it is our turn to write. */
  public boolean isMyTurn() {
    return !failed && step < 3 && ((step % 2 == 0) == initiator);
  }

  public boolean isComplete() {
    return step == 3 && !failed;
  }

  /** The remote static key once message 2 (initiator) or 3 (responder) was read. */
  public byte[] remoteStatic() {
    return rs == null ? null : rs.clone();
  }

  public byte[] handshakeHash() {
    return ss.handshakeHash();
  }

  /** Writes our next message carrying {@code payload}. */
  public byte[] writeMessage(byte[] payload) throws NoiseException {
    if (!isMyTurn()) {
      throw new IllegalStateException("not our turn to write (step " + step + ")");
    }
    try {
      byte[] out;
      switch (step) {
        case 0 -> {
          if (e == null) {
            e = X25519.generate(random);
          }
          ss.mixHash(e.publicKey());
          byte[] p = ss.encryptAndHash(payload);
          out = concat(e.publicKey(), p);
        }
        case 1 -> {
          if (e == null) {
            e = X25519.generate(random);
          }
          ss.mixHash(e.publicKey());
          ss.mixKey(dh.agree(e.privateKey(), re)); // ee
          byte[] cs = ss.encryptAndHash(s.publicKey());
          ss.mixKey(dh.agree(s.privateKey(), re)); // es (responder: DH(s, re))
          byte[] p = ss.encryptAndHash(payload);
          out = concat(e.publicKey(), cs, p);
        }
        case 2 -> {
          byte[] cs = ss.encryptAndHash(s.publicKey());
          ss.mixKey(dh.agree(s.privateKey(), re)); // se (initiator: DH(s, re))
          byte[] p = ss.encryptAndHash(payload);
          out = concat(cs, p);
        }
        default -> throw new IllegalStateException();
      }
      if (out.length > MAX_MESSAGE) {
        throw new NoiseException("handshake message of " + out.length + " bytes exceeds 65535");
      }
      step++;
      return out;
    } catch (NoiseException ex) {
      failed = true;
      throw ex;
    }
  }

  /** Reads the remote's next message and returns its decrypted payload. */
  public byte[] readMessage(byte[] msg) throws NoiseException {
    if (failed || step >= 3 || isMyTurn()) {
      throw new NoiseException("unexpected handshake message at step " + step);
    }
    try {
      byte[] payload;
      switch (step) {
        case 0 -> {
          need(msg, X25519.LEN, "message 1");
          re = Arrays.copyOfRange(msg, 0, X25519.LEN);
          ss.mixHash(re);
          payload = ss.decryptAndHash(Arrays.copyOfRange(msg, X25519.LEN, msg.length));
        }
        case 1 -> {
          int sLen = X25519.LEN + CipherState.TAG;
          need(msg, X25519.LEN + sLen + CipherState.TAG, "message 2");
          re = Arrays.copyOfRange(msg, 0, X25519.LEN);
          ss.mixHash(re);
          ss.mixKey(dh.agree(e.privateKey(), re)); // ee
          rs = ss.decryptAndHash(Arrays.copyOfRange(msg, X25519.LEN, X25519.LEN + sLen));
          ss.mixKey(dh.agree(e.privateKey(), rs)); // es (initiator: DH(e, rs))
          payload = ss.decryptAndHash(Arrays.copyOfRange(msg, X25519.LEN + sLen, msg.length));
        }
        case 2 -> {
          int sLen = X25519.LEN + CipherState.TAG;
          need(msg, sLen + CipherState.TAG, "message 3");
          rs = ss.decryptAndHash(Arrays.copyOfRange(msg, 0, sLen));
          ss.mixKey(dh.agree(e.privateKey(), rs)); // se (responder: DH(e, rs))
          payload = ss.decryptAndHash(Arrays.copyOfRange(msg, sLen, msg.length));
        }
        default -> throw new IllegalStateException();
      }
      step++;
      return payload;
    } catch (NoiseException ex) {
      failed = true;
      throw ex;
    }
  }

  /**
   * The transport ciphers after the handshake: {@code [send, receive]} from our point of view.
   */
  public CipherState[] split() {
    if (!isComplete()) {
      throw new IllegalStateException("handshake not complete");
    }
    CipherState[] c = ss.split();
    return initiator ? new CipherState[] {c[0], c[1]} : new CipherState[] {c[1], c[0]};
  }

  private static void need(byte[] msg, int min, String what) throws NoiseException {
    if (msg.length < min) {
      throw new NoiseException(what + " too short: " + msg.length + " < " + min);
    }
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int i = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, i, p.length);
      i += p.length;
    }
    return out;
  }
}
