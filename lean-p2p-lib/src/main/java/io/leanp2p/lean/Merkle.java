package io.leanp2p.lean;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * SSZ merkleization with SHA-256: {@code merkleize} with a chunk limit (virtual zero-padding to
 * the next power of two), {@code mix_in_length}, packing of basic values and byte lists, and
 * bitlists. Every result is a fresh 32-byte array.
 */
final class Merkle {
  /** Bytes per chunk. */
  public static final int CHUNK = 32;
  private static final int MAX_DEPTH = 64;
  /** ZERO_HASHES[d] = root of a depth-d tree of zero chunks; constant after class init. */
  private static final byte[][] ZERO_HASHES = new byte[MAX_DEPTH + 1][];

  static {
    ZERO_HASHES[0] = new byte[CHUNK];
    MessageDigest md = sha256();
    for (int d = 1; d <= MAX_DEPTH; d++) {
      ZERO_HASHES[d] = hash(md, ZERO_HASHES[d - 1], ZERO_HASHES[d - 1]);
    }
  }

  private Merkle() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static byte[] hash(MessageDigest md, byte[] a, byte[] b) {
    md.update(a);
    md.update(b);
    return md.digest();
  }

  /** SHA-256 of the 64 bytes {@code a || b}. */
  public static byte[] hashPair(byte[] a, byte[] b) {
    return hash(sha256(), a, b);
  }

  /** Root of a zero tree of the given depth (a copy). */
  public static byte[] zeroHash(int depth) {
    return ZERO_HASHES[depth].clone();
  }

  /** Tree depth for {@code limit} leaves: ceil(log2(limit)), 0 for limit ≤ 1. */
  static int depth(long limit) {
    return limit <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(limit - 1);
  }

  /** {@code merkleize(chunks, limit)}; {@code chunks.size()} must not exceed {@code limit}. */
  public static byte[] merkleize(List<byte[]> chunks, long limit) {
    return merkleize(chunks.toArray(new byte[0][]), chunks.size(), limit);
  }

  /** Merkleizes the first {@code count} chunks of {@code layer} (which it overwrites). */
  static byte[] merkleize(byte[][] layer, int count, long limit) {
    if (count > limit) {
      throw new IllegalArgumentException(count + " chunks exceed limit " + limit);
    }
    int depth = depth(limit);
    if (count == 0) {
      return ZERO_HASHES[depth].clone();
    }
    MessageDigest md = sha256();
    int n = count;
    for (int level = 0; level < depth; level++) {
      int next = (n + 1) / 2;
      for (int i = 0; i < next; i++) {
        byte[] left = layer[2 * i];
        byte[] right = 2 * i + 1 < n ? layer[2 * i + 1] : ZERO_HASHES[level];
        layer[i] = hash(md, left, right);
      }
      n = next;
    }
    return layer[0].clone();
  }

  /** Root of a container whose field roots are given in order. */
  public static byte[] container(byte[]... fieldRoots) {
    return merkleize(fieldRoots.clone(), fieldRoots.length, fieldRoots.length);
  }

  /** {@code mix_in_length(root, length)}. */
  public static byte[] mixInLength(byte[] root, long length) {
    return hashPair(root, uint64(length));
  }

  /** A uint64 as a little-endian, zero-padded chunk. */
  public static byte[] uint64(long v) {
    byte[] c = new byte[CHUNK];
    Ssz.putU64(c, 0, v);
    return c;
  }

  /** Root of bytes packed into chunks, merkleized with {@code limitChunks} (no length mixed in). */
  public static byte[] packedBytes(byte[] data, int off, int len, long limitChunks) {
    int count = (len + CHUNK - 1) / CHUNK;
    byte[][] chunks = new byte[Math.max(count, 1)][];
    for (int i = 0; i < count; i++) {
      byte[] c = new byte[CHUNK];
      System.arraycopy(data, off + i * CHUNK, c, 0, Math.min(CHUNK, len - i * CHUNK));
      chunks[i] = c;
    }
    return merkleize(chunks, count, limitChunks);
  }

  /** Root of a {@code ByteList[maxBytes]}. */
  public static byte[] byteList(byte[] data, long maxBytes) {
    return mixInLength(packedBytes(data, 0, data.length, (maxBytes + CHUNK - 1) / CHUNK), data.length);
  }

  /** Root of a {@code List[Bytes32, limit]} (or any list of composite roots). */
  public static byte[] listOfRoots(List<byte[]> roots, long limit) {
    return mixInLength(merkleize(roots, limit), roots.size());
  }

  /** Root of a {@code Bitlist[limitBits]} given in SSZ form (with its delimiter bit). */
  public static byte[] bitlist(byte[] ssz, long limitBits) {
    int bits = Bitlist.length(ssz);
    byte[] packed = ssz.clone();
    // drop the delimiter bit
    packed[packed.length - 1] &= (byte) ~(1 << (bits & 7));
    int byteLen = (bits + 7) / 8;
    return mixInLength(packedBytes(packed, 0, byteLen, (limitBits + 255) / 256), bits);
  }
}
