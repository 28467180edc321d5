package io.leanp2p.transport.tcp.noise;

import io.leanp2p.crypto.PeerId;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-only access for the fuzz targets in {@code io.leanp2p.fuzz}: transport ciphers from a key,
 * and handshake states between fixed keys whose key agreements are cached.
 *
 * <p>X25519 is a pure function of (private key, remote public key); the handshake targets use a
 * handful of fixed keys, so after the first input every agreement between them is a cache hit and
 * a whole handshake costs symmetric crypto only. A remote key the cache has not seen (a raw
 * message from the fuzzer) is agreed for real, exactly as {@link X25519#dh} does it, failures
 * included; the results are bit for bit those of X25519.
 */
public final class NoiseFuzzAccess {
  /** Bounded: raw inputs bring new remote keys; the fixed ones are used by nearly every input. */
  private static final int CACHE_ENTRIES = 4096;

  /** One cache per JVM (a fuzzing process runs one target on one thread). */
  private static final CachedDh DH = new CachedDh();

  private NoiseFuzzAccess() {}

  /** A fresh cipher state (nonce 0) over a 32-byte key, as {@code Split()} makes them. */
  public static CipherState cipher(byte[] key) {
    return new CipherState(key.clone());
  }

  /**
   * The production handshake handler on a fresh state: fixed {@code ephemeral}, cached key
   * agreement, and our payload signed once by the caller ({@link NoisePayload#build}).
   */
  public static NoiseHandshakeHandler handler(
      boolean initiator,
      X25519.KeyPairRaw staticKey,
      X25519.KeyPairRaw ephemeral,
      byte[] signedPayload,
      PeerId expected,
      NoiseHandshakeHandler.Done done) {
    return new NoiseHandshakeHandler(noise(initiator, staticKey, ephemeral), signedPayload, expected, done);
  }

  /** A handshake state (the fuzzer's honest side) with a fixed ephemeral and cached agreement. */
  public static NoiseXX noise(boolean initiator, X25519.KeyPairRaw staticKey, X25519.KeyPairRaw ephemeral) {
    return new NoiseXX(initiator, staticKey, null, DH).withEphemeral(ephemeral);
  }

  /** Key agreements computed for real so far (cache misses), for the targets' statistics. */
  public static long agreementsComputed() {
    return DH.computed;
  }

  /** {@link X25519#dh} with its results (and its refusals) cached, least recently used evicted. */
  private static final class CachedDh implements NoiseXX.Dh {
    private final Map<Key, Object> cache = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Object> eldest) {
        return size() > CACHE_ENTRIES;
      }
    };
    long computed;

    @Override
    public byte[] agree(PrivateKey priv, byte[] remotePublic) throws NoiseException {
      Key k = new Key(priv, remotePublic.clone());
      Object r = cache.get(k);
      if (r == null) {
        computed++;
        try {
          r = X25519.dh(priv, remotePublic);
        } catch (NoiseException e) {
          r = e.getMessage();
        }
        cache.put(k, r);
      }
      if (r instanceof String refusal) {
        throw new NoiseException(refusal);
      }
      return ((byte[]) r).clone();
    }
  }

  /** A private key (by identity: the targets' keys are fixed objects) and a remote public key. */
  private record Key(PrivateKey priv, byte[] remote) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.priv == priv && Arrays.equals(k.remote, remote);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(priv) * 31 + Arrays.hashCode(remote);
    }
  }
}
