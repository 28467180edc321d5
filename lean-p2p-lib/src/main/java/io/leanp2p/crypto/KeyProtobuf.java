package io.leanp2p.crypto;

import io.leanp2p.multiformats.Varint;
import io.leanp2p.util.DecodeException;
import java.util.Arrays;

/**
 * The libp2p {@code PublicKey} protobuf, {@code 08 <varint KeyType> 12 <varint len> <key bytes>},
 * encoded and decoded strictly: exactly field 1 then field 2, minimal varints, nothing trailing.
 * Works for every {@link KeyType}, including the ones whose keys this library treats as opaque
 * bytes (RSA, ECDSA), so a PeerId can be derived from any of them.
 */
public final class KeyProtobuf {
  /** Largest key payload accepted (an 8192-bit RSA SPKI is about 1.1 KB). */
  public static final int MAX_KEY_BYTES = 2048;

  private KeyProtobuf() {}

  /** A decoded {@code PublicKey} message. */
  public record Decoded(KeyType type, byte[] data) {
    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Decoded d && d.type == type && Arrays.equals(d.data, data);
    }

    @Override
    public int hashCode() {
      return type.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "KeyProtobuf[" + type + ", " + data.length + " bytes]";
    }
  }

  /** Encodes a {@code PublicKey} message. */
  public static byte[] encode(KeyType type, byte[] data) {
    byte[] out =
        new byte[2 + Varint.encodedLength(type.code()) + Varint.encodedLength(data.length) + data.length];
    int p = 0;
    out[p++] = 0x08;
    p += Varint.write(type.code(), out, p);
    out[p++] = 0x12;
    p += Varint.write(data.length, out, p);
    System.arraycopy(data, 0, out, p, data.length);
    return out;
  }

  /**
   * Decodes a {@code PublicKey} message strictly.
   *
   * @throws DecodeException for wrong/missing/extra fields, non-minimal varints, an unknown key type
   *     ({@code UNSUPPORTED}), a payload over {@link #MAX_KEY_BYTES}, truncation or trailing bytes
   */
  public static Decoded decode(byte[] pb) throws DecodeException {
    if (pb.length < 1 || pb[0] != 0x08) {
      throw DecodeException.malformed("PublicKey protobuf must start with field 1 (Type)");
    }
    Varint.Decoded t = Varint.decode(pb, 1, Integer.MAX_VALUE);
    KeyType type = KeyType.fromCode((int) t.value());
    int p = 1 + t.length();
    if (p >= pb.length) {
      throw DecodeException.truncated("PublicKey protobuf has no Data field");
    }
    if (pb[p] != 0x12) {
      throw DecodeException.malformed("PublicKey protobuf field 2 (Data) expected after Type");
    }
    Varint.Decoded l = Varint.decode(pb, p + 1, MAX_KEY_BYTES);
    p += 1 + l.length();
    int len = (int) l.value();
    int avail = pb.length - p;
    if (avail < len) {
      throw DecodeException.truncated("PublicKey Data: " + avail + " of " + len + " bytes");
    }
    if (avail > len) {
      throw new DecodeException(
          DecodeException.Reason.TRAILING_BYTES, (avail - len) + " byte(s) after PublicKey Data");
    }
    return new Decoded(type, Arrays.copyOfRange(pb, p, pb.length));
  }
}
