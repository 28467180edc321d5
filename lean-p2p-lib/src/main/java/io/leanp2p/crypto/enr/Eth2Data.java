package io.leanp2p.crypto.enr;

import java.util.Arrays;

/**
 * The ENR {@code eth2} value (ENRForkID): 4-byte fork digest, 4-byte next fork version and the
 * next fork epoch (unsigned 64-bit, little-endian on the wire).
 */
public record Eth2Data(byte[] forkDigest, byte[] nextForkVersion, long nextForkEpoch) {
  public Eth2Data {
    forkDigest = forkDigest.clone();
    nextForkVersion = nextForkVersion.clone();
  }

  @Override
  public byte[] forkDigest() {
    return forkDigest.clone();
  }

  @Override
  public byte[] nextForkVersion() {
    return nextForkVersion.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Eth2Data e
        && Arrays.equals(e.forkDigest, forkDigest)
        && Arrays.equals(e.nextForkVersion, nextForkVersion)
        && e.nextForkEpoch == nextForkEpoch;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(forkDigest) * 31 + Arrays.hashCode(nextForkVersion) * 17 + Long.hashCode(nextForkEpoch);
  }

  @Override
  public String toString() {
    return "Eth2Data[" + io.leanp2p.util.Hex.encode(forkDigest) + ", " + io.leanp2p.util.Hex.encode(nextForkVersion)
        + ", " + Long.toUnsignedString(nextForkEpoch) + "]";
  }
}
