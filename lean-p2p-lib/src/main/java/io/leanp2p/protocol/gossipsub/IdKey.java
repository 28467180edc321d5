package io.leanp2p.protocol.gossipsub;

import io.leanp2p.util.Hex;
import java.util.Arrays;

/** A message id as a hash-map key (the array is owned: never modified after construction). */
final class IdKey {
  final byte[] id;
  private final int hash;

  private IdKey(byte[] id) {
    this.id = id;
    this.hash = Arrays.hashCode(id);
  }

  /** Wraps {@code id} without copying: the caller hands over the array. */
  static IdKey own(byte[] id) {
    return new IdKey(id);
  }

  static IdKey copy(byte[] id) {
    return new IdKey(id.clone());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdKey k && hash == k.hash && Arrays.equals(id, k.id);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return Hex.encode(id);
  }
}
