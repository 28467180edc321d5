package io.leanp2p.crypto;

import io.leanp2p.util.DecodeException;

/**
 * A libp2p identity public key. Implementations are immutable and compare by type and bytes.
 * Supported for verification: {@link KeyType#SECP256K1} ({@link Secp256k1PublicKey}) and {@link
 * KeyType#ED25519} ({@link Ed25519PublicKey}).
 */
public interface PublicKey {
  KeyType type();

  /** The raw key bytes: secp256k1 33-byte compressed SEC1 point; ed25519 32 bytes. */
  byte[] raw();

  /** The libp2p {@code PublicKey} protobuf: {@code 08 <type> 12 <len> <raw>}. */
  default byte[] toProtobuf() {
    return KeyProtobuf.encode(type(), raw());
  }

  /**
   * Verifies {@code signature} over {@code data}. secp256k1: ECDSA-SHA256 with a strict DER
   * signature, high-S accepted (see {@link Secp256k1PublicKey}); ed25519: RFC 8032 Ed25519.
   * Returns {@code false} for any malformed signature, never throws for bad input.
   */
  boolean verify(byte[] data, byte[] signature);

  /**
   * Decodes the libp2p {@code PublicKey} protobuf strictly (exactly field 1 then field 2, nothing
   * trailing).
   *
   * @throws DecodeException {@code UNSUPPORTED} for RSA/ECDSA/unknown types, otherwise for
   *     malformed input or an invalid key
   */
  static PublicKey fromProtobuf(byte[] pb) throws DecodeException {
    KeyProtobuf.Decoded d = KeyProtobuf.decode(pb);
    return of(d.type(), d.data());
  }

  /**
   * A public key from its raw bytes.
   *
   * @throws DecodeException {@code UNSUPPORTED} for RSA/ECDSA; {@code MALFORMED} for a bad key
   */
  static PublicKey of(KeyType type, byte[] raw) throws DecodeException {
    return switch (type) {
      case SECP256K1 -> Secp256k1PublicKey.fromBytes(raw);
      case ED25519 -> Ed25519PublicKey.fromBytes(raw);
      default -> throw new DecodeException(
          DecodeException.Reason.UNSUPPORTED, type + " public keys are not supported");
    };
  }
}
