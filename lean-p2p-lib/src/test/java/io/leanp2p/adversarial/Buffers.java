package io.leanp2p.adversarial;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/** Memory held by Netty's default allocator (what a victim's channels buffer), in bytes. */
final class Buffers {
  private Buffers() {}

  static long used() {
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider m) {
      return m.metric().usedHeapMemory() + m.metric().usedDirectMemory();
    }
    throw new IllegalStateException("allocator without metrics: " + ByteBufAllocator.DEFAULT);
  }
}
