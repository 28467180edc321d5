package io.leanp2p.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Helpers shared by the fuzz targets: deterministic splitting of an input into the pieces a
 * network read could deliver, and a per-input allocation budget (a decoder that allocates for a
 * declared length before checking it blows the budget long before it runs out of heap).
 *
 * <p>Everything is derived from the input itself, so a finding replays from its input file alone.
 */
final class FuzzSupport {
  /**
   * {@code ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
   * .getCurrentThreadAllocatedBytes()}, looked up reflectively: the tests are compiled into the
   * library's module, which does not read java.management (they run on the class path).
   */
  private static final MethodHandle ALLOCATED = allocatedBytesHandle();

  private static MethodHandle allocatedBytesHandle() {
    try {
      Object bean = Class.forName("java.lang.management.ManagementFactory")
          .getMethod("getThreadMXBean").invoke(null);
      Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
      return MethodHandles.publicLookup()
          .findVirtual(type, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
          .bindTo(bean);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("per-thread allocation counter unavailable", e);
    }
  }

  /** Fixed overhead any decode may allocate regardless of input (exceptions, small objects). */
  static final long BASE_ALLOCATION = 1 << 20;

  private FuzzSupport() {}

  /** A contract check of a target: plain, as it runs once per input. */
  static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }

  /** Bytes this thread has allocated so far (HotSpot's TLAB accounting). */
  static long allocated() {
    try {
      return (long) ALLOCATED.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** A decode to run again; its outcome is ignored. */
  @FunctionalInterface
  interface Rerun {
    void run() throws Exception;
  }

  /**
   * Fails when the decode allocated more than {@code budget} bytes since {@code before}: it
   * allocated for something it had not checked. The first time a code path runs, class loading
   * (and, while fuzzing, Jazzer instrumenting those classes) allocates on this thread too, so an
   * excess is measured once more on a second run of the same (deterministic) decode.
   */
  static void checkAllocation(long before, long budget, String what, Rerun again) {
    long used = allocated() - before;
    if (used <= budget) {
      return;
    }
    long before2 = allocated();
    try {
      again.run();
    } catch (Exception ignored) {
      // the outcome was checked on the first run
    }
    long used2 = allocated() - before2;
    if (used2 > budget) {
      throw new AssertionError(what + " allocated " + used2 + " bytes, budget " + budget);
    }
  }

  /**
   * Cuts {@code in} into pieces of 1..{@code maxPiece} bytes, at points chosen by a generator
   * seeded from the input (so the same input always gets the same cuts).
   */
  static List<byte[]> pieces(byte[] in, int maxPiece) {
    SplittableRandom r = new SplittableRandom(Arrays.hashCode(in) * 0x9E3779B97F4A7C15L + in.length);
    List<byte[]> out = new ArrayList<>();
    int pos = 0;
    while (pos < in.length) {
      int n = Math.min(in.length - pos, 1 + r.nextInt(maxPiece));
      out.add(Arrays.copyOfRange(in, pos, pos + n));
      pos += n;
    }
    return out;
  }

  /** {@link #pieces} as fresh unpooled heap buffers (the receiver owns each). */
  static List<ByteBuf> buffers(byte[] in, int maxPiece) {
    List<ByteBuf> out = new ArrayList<>();
    for (byte[] p : pieces(in, maxPiece)) {
      out.add(Unpooled.wrappedBuffer(p));
    }
    return out;
  }

  /**
   * An {@link EmbeddedChannel} around {@code handlers} (registered and active, as the constructor
   * of {@code EmbeddedChannel} would make it) whose allocator is its own, unpooled and counting the
   * bytes of its live buffers: {@link #assertNoLiveBuffers} then finds a buffer the code under test
   * allocated and never released, for the very input that leaked it. This is the leak check of the
   * campaigns (which run without Netty's leak detector); the regression run has both, the allocator
   * keeping Netty's detector on its buffers.
   */
  static EmbeddedChannel channel(ChannelHandler... handlers) {
    EmbeddedChannel ch = new EmbeddedChannel(false, false);
    ch.config().setAllocator(new UnpooledByteBufAllocator(false));
    ch.pipeline().addLast(handlers);
    try {
      ch.register();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return ch;
  }

  /** Fails when a buffer allocated through {@code ch}'s allocator (see {@link #channel}) is alive. */
  static void assertNoLiveBuffers(EmbeddedChannel ch, String what) {
    ByteBufAllocatorMetric m = ((UnpooledByteBufAllocator) ch.config().getAllocator()).metric();
    if (m.usedHeapMemory() != 0 || m.usedDirectMemory() != 0) {
      throw new AssertionError(what + " leaked buffers: " + m.usedHeapMemory() + " heap and "
          + m.usedDirectMemory() + " direct bytes still allocated after the channel was finished");
    }
  }

  /** Asserts that every buffer was released by whoever owned it. */
  static void assertReleased(List<ByteBuf> bufs, String what) {
    for (ByteBuf b : bufs) {
      if (b.refCnt() != 0) {
        throw new AssertionError(what + " did not release an input buffer (refCnt " + b.refCnt() + ")");
      }
    }
  }

  /** Asserts that no buffer was released (the caller keeps ownership) and releases them. */
  static void releaseOwned(List<ByteBuf> bufs, String what) {
    for (ByteBuf b : bufs) {
      if (b.refCnt() != 1) {
        throw new AssertionError(what + " released a buffer the caller owns (refCnt " + b.refCnt() + ")");
      }
      b.release();
    }
  }
}
