package io.leanp2p.crypto;

import io.leanp2p.util.DecodeException;

/** The libp2p {@code KeyType} protobuf enum. */
public enum KeyType {
  RSA(0),
  ED25519(1),
  SECP256K1(2),
  ECDSA(3);

  private final int code;

  KeyType(int code) {
    this.code = code;
  }

  /** The protobuf enum number. */
  public int code() {
    return code;
  }

  /**
   * The key type with protobuf number {@code code}.
   *
   * @throws DecodeException {@code UNSUPPORTED} for an unknown number
   */
  public static KeyType fromCode(int code) throws DecodeException {
    for (KeyType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new DecodeException(DecodeException.Reason.UNSUPPORTED, "unknown key type " + code);
  }
}
