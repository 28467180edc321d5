package io.leanp2p.cli.devnet;

import io.leanp2p.util.DecodeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The devnet's simulated lean blocks: SSZ {@code SignedBlock}s with no attestations and a proof of
 * random bytes (leanspec-networking.md §4.10), and the block root ({@code hash_tree_root(Block)})
 * that the next block's {@code parent_root} refers to.
 *
 * <pre>
 * SignedBlock = 08000000 || u32 proofOffset || Block || 04000000 || proof bytes
 * Block       = slot u64 || proposer u64 || parent_root[32] || state_root[32] || 54000000 || body
 * body        = 04000000 (attestations: an empty list)
 * </pre>
 */
public final class SimBlocks {
  /** The proof byte-list limit (512 KiB). */
  public static final int MAX_PROOF_BYTES = 512 * 1024;
  /** An empty Block's size. */
  public static final int BLOCK_BYTES = 88;
  /** A SignedBlock's size without proof bytes. */
  public static final int MIN_SIGNED_BLOCK_BYTES = 8 + BLOCK_BYTES + 4;

  private static final int ATTESTATIONS_LIMIT_DEPTH = 12; // List[AggregatedAttestation, 4096]
  private static final byte[][] ZERO_HASHES = zeroHashes(ATTESTATIONS_LIMIT_DEPTH);

  private SimBlocks() {}

  /** The fields of a parsed simulated block. */
  public record Header(long slot, long proposer, byte[] parentRoot, byte[] stateRoot, int proofBytes) {
    /** {@code hash_tree_root(Block)}. */
    public byte[] root() {
      return blockRoot(slot, proposer, parentRoot, stateRoot);
    }
  }

  /** Builds a SignedBlock. */
  public static byte[] build(long slot, long proposer, byte[] parentRoot, byte[] stateRoot, byte[] proof) {
    if (parentRoot.length != 32 || stateRoot.length != 32) {
      throw new IllegalArgumentException("roots must be 32 bytes");
    }
    if (proof.length > MAX_PROOF_BYTES) {
      throw new IllegalArgumentException("proof over " + MAX_PROOF_BYTES + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate(MIN_SIGNED_BLOCK_BYTES + proof.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(8).putInt(8 + BLOCK_BYTES);
    b.putLong(slot).putLong(proposer).put(parentRoot).put(stateRoot).putInt(84).putInt(4);
    b.putInt(4).put(proof);
    return b.array();
  }

  /** Parses a SignedBlock built by {@link #build} (no attestations); checks every offset. */
  public static Header parse(byte[] ssz) throws DecodeException {
    if (ssz.length < MIN_SIGNED_BLOCK_BYTES) {
      throw DecodeException.malformed("SignedBlock shorter than " + MIN_SIGNED_BLOCK_BYTES + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(ssz).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) != 8) {
      throw DecodeException.malformed("SignedBlock: block offset is not 8");
    }
    if (b.getInt(4) != 8 + BLOCK_BYTES) {
      throw DecodeException.malformed("SignedBlock: the block carries attestations (unsupported here)");
    }
    if (b.getInt(8 + 80) != 84 || b.getInt(8 + 84) != 4) {
      throw DecodeException.malformed("Block: bad body offsets");
    }
    if (b.getInt(8 + BLOCK_BYTES) != 4) {
      throw DecodeException.malformed("SignedBlock: bad proof offset");
    }
    int proofBytes = ssz.length - MIN_SIGNED_BLOCK_BYTES;
    if (proofBytes > MAX_PROOF_BYTES) {
      throw DecodeException.malformed("SignedBlock: proof over " + MAX_PROOF_BYTES + " bytes");
    }
    long slot = b.getLong(8);
    long proposer = b.getLong(16);
    byte[] parent = Arrays.copyOfRange(ssz, 24, 56);
    byte[] state = Arrays.copyOfRange(ssz, 56, 88);
    return new Header(slot, proposer, parent, state, proofBytes);
  }

  /** {@code hash_tree_root(Block)} of a block with an empty body. */
  public static byte[] blockRoot(long slot, long proposer, byte[] parentRoot, byte[] stateRoot) {
    // body = Container{attestations: List[..., 4096]} with one field: its root is the list's root,
    // mix_in_length(zero subtree of depth 12, 0).
    byte[] bodyRoot = hash(ZERO_HASHES[ATTESTATIONS_LIMIT_DEPTH], new byte[32]);
    byte[][] chunks = new byte[8][];
    chunks[0] = uint64Chunk(slot);
    chunks[1] = uint64Chunk(proposer);
    chunks[2] = parentRoot;
    chunks[3] = stateRoot;
    chunks[4] = bodyRoot;
    for (int i = 5; i < 8; i++) {
      chunks[i] = new byte[32];
    }
    int n = 8;
    while (n > 1) {
      for (int i = 0; i < n / 2; i++) {
        chunks[i] = hash(chunks[2 * i], chunks[2 * i + 1]);
      }
      n /= 2;
    }
    return chunks[0];
  }

  private static byte[] uint64Chunk(long v) {
    byte[] c = new byte[32];
    ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
    return c;
  }

  static byte[] hash(byte[] a, byte[] b) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(a);
      d.update(b);
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[][] zeroHashes(int depth) {
    byte[][] z = new byte[depth + 1][];
    z[0] = new byte[32];
    for (int i = 1; i <= depth; i++) {
      z[i] = hash(z[i - 1], z[i - 1]);
    }
    return z;
  }
}
