package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;
import java.util.ArrayList;
import java.util.List;

/** {@code BlockBody = { attestations: List[AggregatedAttestation, 4096] }}. */
public record BlockBody(List<AggregatedAttestation> attestations) {
  /** List limit. */
  public static final int MAX_ATTESTATIONS = 4096;

  public BlockBody {
    attestations = List.copyOf(attestations);
    if (attestations.size() > MAX_ATTESTATIONS) {
      throw new IllegalArgumentException("too many attestations: " + attestations.size());
    }
  }

  /** The empty body. */
  public static BlockBody empty() {
    return new BlockBody(List.of());
  }

  public static BlockBody decode(byte[] ssz) throws DecodeException {
    return read(ssz, 0, ssz.length);
  }

  static BlockBody read(byte[] b, int off, int len) throws DecodeException {
    Ssz.minLength("BlockBody", len, 4);
    Ssz.firstOffset("BlockBody", b, off, 0, 4);
    int[] bounds = Ssz.variableListBounds("BlockBody.attestations", b, off + 4, len - 4,
        MAX_ATTESTATIONS);
    List<AggregatedAttestation> atts = new ArrayList<>(bounds.length - 1);
    for (int i = 0; i + 1 < bounds.length; i++) {
      atts.add(AggregatedAttestation.read(b, bounds[i], bounds[i + 1] - bounds[i]));
    }
    return new BlockBody(atts);
  }

  int encodedSize() {
    int n = 4 + 4 * attestations.size();
    for (AggregatedAttestation a : attestations) {
      n += a.encodedSize();
    }
    return n;
  }

  public byte[] encode() {
    byte[] out = new byte[encodedSize()];
    write(out, 0);
    return out;
  }

  void write(byte[] out, int off) {
    Ssz.putU32(out, off, 4);
    int listStart = off + 4;
    int pos = listStart + 4 * attestations.size();
    for (int i = 0; i < attestations.size(); i++) {
      Ssz.putU32(out, listStart + 4 * i, pos - listStart);
      attestations.get(i).write(out, pos);
      pos += attestations.get(i).encodedSize();
    }
  }

  public byte[] hashTreeRoot() {
    List<byte[]> roots = new ArrayList<>(attestations.size());
    for (AggregatedAttestation a : attestations) {
      roots.add(a.hashTreeRoot());
    }
    return Merkle.container(Merkle.listOfRoots(roots, MAX_ATTESTATIONS));
  }
}
