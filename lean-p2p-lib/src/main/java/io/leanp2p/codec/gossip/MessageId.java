package io.leanp2p.codec.gossip;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.util.DecodeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import io.leanp2p.config.RpcLimits;

/**
 * The lean gossip message id (leanSpec {@code gossipsub/message.py} + {@code behavior.py}):
 *
 * <pre>
 * SHA256(domain[4] || u64le(len(topic_utf8)) || topic_utf8 || payload)[0:20]
 * domain = 01000000, payload = snappy_raw_decompress(wire_data)   when wire_data is valid raw snappy
 *          00000000, payload = wire_data                          otherwise
 * </pre>
 *
 * Decompression uses the strict {@link SnappyBlock} decoder (trailing bytes after a complete
 * block make the payload "invalid snappy", unlike leanSpec's lenient Python decoder; for valid
 * payloads the ids agree). Stateless; safe from any thread.
 */
public final class MessageId {
  /** Length of a message id in bytes. */
  public static final int LENGTH = 20;

  private static final byte[] DOMAIN_VALID_SNAPPY = {1, 0, 0, 0};
  private static final byte[] DOMAIN_INVALID_SNAPPY = {0, 0, 0, 0};

  private MessageId() {}

  /** A message's id together with its decompressed payload ({@code null} if not valid snappy). */
  public record Prepared(byte[] id, byte[] decompressed) {
    /** Whether the payload was valid raw snappy within the size limit. */
    public boolean validSnappy() {
      return decompressed != null;
    }
  }

  /** The id of {@code wireData} on {@code topic}, decompressing up to 10 MiB. */
  public static byte[] compute(String topic, byte[] wireData) {
    return prepare(topic, wireData, RpcLimits.MAX_PAYLOAD_SIZE).id();
  }

  /**
   * Decompresses once and computes the id; the decompressed bytes are returned for the host so
   * they need not be decompressed again. Payloads declaring more than {@code maxUncompressed}
   * bytes count as invalid snappy.
   */
  public static Prepared prepare(String topic, byte[] wireData, int maxUncompressed) {
    byte[] decompressed = tryDecompress(wireData, maxUncompressed);
    return new Prepared(computeDecompressed(topic, wireData, decompressed), decompressed);
  }

  /** Strict raw-snappy decompression, or {@code null} when {@code wireData} is not valid. */
  public static byte[] tryDecompress(byte[] wireData, int maxUncompressed) {
    if (!SnappyBlock.isValid(wireData, 0, wireData.length, maxUncompressed)) {
      return null; // the common non-snappy case without the cost of a failed decompression
    }
    try {
      return SnappyBlock.decompress(wireData, maxUncompressed);
    } catch (DecodeException e) {
      return null;
    }
  }

  /**
   * The id when decompression was already attempted: {@code decompressed} is the payload or
   * {@code null} when {@code wireData} is not valid raw snappy.
   */
  public static byte[] computeDecompressed(String topic, byte[] wireData, byte[] decompressed) {
    byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
    return decompressed != null
        ? compute(DOMAIN_VALID_SNAPPY, topicBytes, decompressed)
        : compute(DOMAIN_INVALID_SNAPPY, topicBytes, wireData);
  }

  /** The raw formula with an explicit 4-byte domain (as the leanSpec fixtures give it). */
  public static byte[] compute(byte[] domain, byte[] topicUtf8, byte[] payload) {
    MessageDigest sha = sha256();
    sha.update(domain);
    long n = topicUtf8.length;
    byte[] le = new byte[8];
    for (int i = 0; i < 8; i++) {
      le[i] = (byte) (n >>> (8 * i));
    }
    sha.update(le);
    sha.update(topicUtf8);
    sha.update(payload);
    return Arrays.copyOf(sha.digest(), LENGTH);
  }

  /**
   * A fresh SHA-256 digest, cloned from a prototype that is never updated (so sharing it is safe):
   * a clone copies ~100 bytes of state, where {@code getInstance} looked the provider up, checked
   * algorithm constraints and built the digest reflectively on every message (both on publish and
   * on receipt).
   */
  private static MessageDigest sha256() {
    try {
      return (MessageDigest) SHA256_PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newSha256();
    }
  }

  private static final MessageDigest SHA256_PROTOTYPE = newSha256();

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
