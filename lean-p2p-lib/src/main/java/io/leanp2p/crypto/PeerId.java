package io.leanp2p.crypto;

import io.leanp2p.multiformats.Base58;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.multiformats.Multihash;
import io.leanp2p.util.DecodeException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A libp2p PeerId: the multihash of the key's {@code PublicKey} protobuf — identity when the
 * protobuf is at most 42 bytes (secp256k1, ed25519), SHA2-256 otherwise. Text form is legacy
 * base58btc. Immutable; equality by multihash bytes; ordered by unsigned multihash bytes (a stable
 * order for deterministic iteration).
 */
public final class PeerId implements Comparable<PeerId> {
  /** Protobufs up to this size are inlined with the identity multihash. */
  public static final int MAX_INLINE_KEY_LENGTH = 42;

  /**
   * Longest base58 text of a PeerId: the longest multihash (identity: code, length, {@link
   * Multihash#MAX_IDENTITY_DIGEST} bytes) has at most {@code ceil(44 * log(256) / log(58)) = 61}
   * base58 digits (a leading zero byte is one digit '1').
   */
  static final int MAX_BASE58_CHARS = (2 + Multihash.MAX_IDENTITY_DIGEST) * 137 / 100 + 1;

  private final byte[] bytes;
  /** The base58 text, computed on first use (event loops and CLIs print peer ids per message). */
  private String base58;

  private PeerId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The PeerId of {@code key}. */
  public static PeerId fromPublicKey(PublicKey key) {
    return fromValidProtobuf(key.toProtobuf());
  }

  /**
   * The PeerId of a {@code PublicKey} protobuf of any key type (RSA and ECDSA keys are taken as
   * opaque bytes).
   *
   * @throws DecodeException if {@code pb} is not a strict {@code PublicKey} protobuf
   */
  public static PeerId fromPublicKeyProtobuf(byte[] pb) throws DecodeException {
    KeyProtobuf.decode(pb);
    return fromValidProtobuf(pb);
  }

  private static PeerId fromValidProtobuf(byte[] pb) {
    return new PeerId(pb.length <= MAX_INLINE_KEY_LENGTH ? Multihash.identity(pb) : Multihash.sha256(pb));
  }

  /**
   * A PeerId from its multihash bytes (identity of at most 42 bytes, or SHA2-256).
   *
   * @throws DecodeException if not such a multihash
   */
  public static PeerId fromBytes(byte[] multihash) throws DecodeException {
    Multihash.validate(multihash);
    return new PeerId(multihash.clone());
  }

  /**
   * A PeerId from its base58btc text ({@code 16Uiu2...}, {@code 12D3Koo...}, {@code Qm...}).
   *
   * @throws DecodeException for bad base58 or a bad multihash
   */
  public static PeerId fromBase58(String text) throws DecodeException {
    if (text.length() > MAX_BASE58_CHARS) {
      // checked before the (quadratic) base58 decoding: no longer text can be a PeerId
      throw DecodeException.tooLarge("PeerId base58 text length", text.length(), MAX_BASE58_CHARS);
    }
    return fromBytes(Base58.decode(text));
  }

  /** The PeerId of the trailing {@code /p2p/} component of {@code addr}, if it has one. */
  public static Optional<PeerId> fromMultiaddr(Multiaddr addr) {
    Optional<byte[]> mh = addr.p2p();
    if (mh.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(fromBytes(mh.get()));
    } catch (DecodeException e) {
      return Optional.empty(); // Multiaddr validates p2p values, so this does not happen
    }
  }

  /** The multihash bytes (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  public String toBase58() {
    String s = base58;
    if (s == null) {
      s = Base58.encode(bytes); // idempotent: a race only computes the same string twice
      base58 = s;
    }
    return s;
  }

  /**
   * The public key inlined in an identity-multihash PeerId; empty for SHA2-256 PeerIds and for
   * inlined keys of a type this library does not support.
   */
  public Optional<PublicKey> extractPublicKey() {
    try {
      Multihash mh = Multihash.fromBytes(bytes);
      if (mh.code() != Multihash.IDENTITY) {
        return Optional.empty();
      }
      return Optional.of(PublicKey.fromProtobuf(mh.digest()));
    } catch (DecodeException e) {
      return Optional.empty();
    }
  }

  /** Whether this PeerId is the one of {@code key}. */
  public boolean matches(PublicKey key) {
    return equals(fromPublicKey(key));
  }

  @Override
  public int compareTo(PeerId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId p && Arrays.equals(p.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The base58btc text. */
  @Override
  public String toString() {
    return toBase58();
  }
}
