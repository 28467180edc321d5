package io.leanp2p.cli.peer;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.util.DecodeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The lean gossipsub message id of a wire payload: {@code SHA256(domain || uint64_le(len(topic)) ||
 * topic || data)[:20]}, domain {@code 01000000} with the snappy-decompressed data when the payload
 * is valid raw snappy, else {@code 00000000} with the payload as is.
 */
public final class MessageIds {
  private static final int MAX_DECOMPRESSED = 10 * 1024 * 1024;

  private MessageIds() {}

  public static byte[] compute(String topic, byte[] payload) {
    byte[] data = null;
    if (SnappyBlock.isValid(payload, 0, payload.length, MAX_DECOMPRESSED)) {
      try {
        data = SnappyBlock.decompress(payload, MAX_DECOMPRESSED);
      } catch (DecodeException | RuntimeException e) {
        data = null;
      }
    }
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    sha.update(new byte[] {data != null ? (byte) 1 : 0, 0, 0, 0});
    sha.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(t.length).array());
    sha.update(t);
    sha.update(data != null ? data : payload);
    return Arrays.copyOf(sha.digest(), 20);
  }

  /** Whether {@code payload} is valid raw snappy (by the library's strict decoder). */
  public static boolean isValidSnappy(byte[] payload) {
    if (!SnappyBlock.isValid(payload, 0, payload.length, MAX_DECOMPRESSED)) {
      return false; // cheap: no exception for the common random payload
    }
    try {
      SnappyBlock.decompress(payload, MAX_DECOMPRESSED);
      return true;
    } catch (DecodeException | RuntimeException e) {
      return false;
    }
  }
}
