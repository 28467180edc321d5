package io.leanp2p.crypto;

import io.leanp2p.util.DecodeException;
import java.util.Arrays;

/** A libp2p identity private key. {@link #raw()} returns a copy; keys never print their secret. */
public interface PrivateKey {
  KeyType type();

  PublicKey publicKey();

  /**
   * Signs {@code data}: secp256k1 → DER ECDSA-SHA256 (RFC 6979, low-S); ed25519 → 64-byte Ed25519.
   */
  byte[] sign(byte[] data);

  /** The 32-byte secret: secp256k1 scalar (big-endian) or ed25519 seed. A copy. */
  byte[] raw();

  /**
   * The libp2p {@code PrivateKey} protobuf ({@code 08 <type> 12 <len> <data>}) as go-libp2p and
   * rust-libp2p store key files: secp256k1 data is the 32-byte scalar, ed25519 data is the 64 bytes
   * seed || public key.
   */
  default byte[] toProtobuf() {
    byte[] data = raw();
    if (type() == KeyType.ED25519) {
      byte[] pub = publicKey().raw();
      data = Arrays.copyOf(data, 64);
      System.arraycopy(pub, 0, data, 32, 32);
    }
    return KeyProtobuf.encode(type(), data);
  }

  /**
   * Decodes a {@code PrivateKey} protobuf (see {@link #toProtobuf()}); for ed25519 the embedded
   * public key must match the seed.
   *
   * @throws DecodeException for malformed input, unsupported types or inconsistent keys
   */
  static PrivateKey fromProtobuf(byte[] pb) throws DecodeException {
    KeyProtobuf.Decoded d = KeyProtobuf.decode(pb);
    byte[] data = d.data();
    return switch (d.type()) {
      case SECP256K1 -> Secp256k1PrivateKey.fromBytes(data);
      case ED25519 -> {
        if (data.length != 64) {
          throw DecodeException.malformed("ed25519 private key protobuf data must be 64 bytes, got " + data.length);
        }
        Ed25519PrivateKey k = Ed25519PrivateKey.fromBytes(Arrays.copyOf(data, 32));
        if (!Arrays.equals(k.publicKey().raw(), Arrays.copyOfRange(data, 32, 64))) {
          throw DecodeException.malformed("ed25519 private key protobuf: public half does not match the seed");
        }
        yield k;
      }
      default -> throw new DecodeException(
          DecodeException.Reason.UNSUPPORTED, d.type() + " private keys are not supported");
    };
  }
}
