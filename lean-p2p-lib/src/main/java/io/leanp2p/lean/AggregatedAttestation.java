package io.leanp2p.lean;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.Arrays;

/**
 * {@code AggregatedAttestation = { aggregation_bits: Bitlist[4096], data: AttestationData }}.
 * {@code aggregationBits} is the SSZ bitlist (with its delimiter bit); see {@link Bitlist}.
 */
public record AggregatedAttestation(byte[] aggregationBits, AttestationData data) {
  /** Bitlist limit (VALIDATOR_REGISTRY_LIMIT). */
  public static final int MAX_BITS = 4096;
  /** Size of the fixed part: bits offset + data. */
  static final int FIXED = 4 + AttestationData.SIZE;

  public AggregatedAttestation {
    try {
      Bitlist.validate(aggregationBits, 0, aggregationBits.length, MAX_BITS);
    } catch (DecodeException e) {
      throw new IllegalArgumentException("invalid aggregation bits: " + e.getMessage(), e);
    }
    java.util.Objects.requireNonNull(data, "data");
  }

  public static AggregatedAttestation decode(byte[] ssz) throws DecodeException {
    return read(ssz, 0, ssz.length);
  }

  static AggregatedAttestation read(byte[] b, int off, int len) throws DecodeException {
    Ssz.minLength("AggregatedAttestation", len, FIXED);
    Ssz.firstOffset("AggregatedAttestation", b, off, 0, FIXED);
    Bitlist.validate(b, off + FIXED, len - FIXED, MAX_BITS);
    return new AggregatedAttestation(Ssz.slice(b, off + FIXED, off + len),
        AttestationData.read(b, off + 4));
  }

  int encodedSize() {
    return FIXED + aggregationBits.length;
  }

  public byte[] encode() {
    byte[] out = new byte[encodedSize()];
    write(out, 0);
    return out;
  }

  void write(byte[] out, int off) {
    Ssz.putU32(out, off, FIXED);
    data.write(out, off + 4);
    System.arraycopy(aggregationBits, 0, out, off + FIXED, aggregationBits.length);
  }

  public byte[] hashTreeRoot() {
    return Merkle.container(Merkle.bitlist(aggregationBits, MAX_BITS), data.hashTreeRoot());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AggregatedAttestation a
        && Arrays.equals(a.aggregationBits, aggregationBits) && a.data.equals(data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(aggregationBits) + data.hashCode();
  }

  @Override
  public String toString() {
    return "AggregatedAttestation[bits=" + Hex.encode(aggregationBits) + ", data=" + data + "]";
  }
}
