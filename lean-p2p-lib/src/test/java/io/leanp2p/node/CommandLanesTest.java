package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CommandLanesTest {

  @Test
  void everyOfferIsAcceptedOrRefusedAndAcceptedRunExactlyOnce() throws Exception {
    ExecutorService loop = Executors.newSingleThreadExecutor();
    long[] seen = new long[8 * 100_000];
    AtomicLong handled = new AtomicLong();
    CommandLanes<Integer> lanes =
        new CommandLanes<>(64, 256, 32, loop::execute, c -> {
          seen[c]++; // owner thread only
          handled.incrementAndGet();
        });
    int threads = 8;
    int per = 100_000;
    AtomicLong accepted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * per;
      Thread th = new Thread(() -> {
        for (int i = 0; i < per; i++) {
          CommandLanes.Lane lane = (i % 10 == 0) ? CommandLanes.Lane.CONTROL : CommandLanes.Lane.BULK;
          if (lanes.offer(lane, base + i)) {
            accepted.incrementAndGet();
          } else {
            refused.incrementAndGet();
          }
        }
      });
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) {
      th.join();
    }
    // wait until the loop handled everything accepted
    CountDownLatch done = new CountDownLatch(1);
    while (handled.get() < accepted.get()) {
      loop.submit(() -> {}).get();
    }
    loop.submit(done::countDown);
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    loop.shutdown();
    assertThat(accepted.get() + refused.get()).isEqualTo((long) threads * per);
    assertThat(handled.get()).isEqualTo(accepted.get());
    long ones = 0;
    for (long s : seen) {
      assertThat(s).isBetween(0L, 1L);
      ones += s;
    }
    assertThat(ones).isEqualTo(accepted.get());
    assertThat(lanes.fullCount(CommandLanes.Lane.CONTROL) + lanes.fullCount(CommandLanes.Lane.BULK))
        .isEqualTo(refused.get());
  }

  @Test
  void fullBulkLaneNeverBlocksControl() throws Exception {
    ExecutorService loop = Executors.newSingleThreadExecutor();
    CountDownLatch gate = new CountDownLatch(1);
    loop.execute(() -> {
      try {
        gate.await(); // the loop is busy: nothing drains
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    List<String> order = new ArrayList<>();
    CommandLanes<String> lanes = new CommandLanes<>(16, 16, 1000, loop::execute, order::add);
    int bulkAccepted = 0;
    for (int i = 0; i < 100; i++) {
      if (lanes.offer(CommandLanes.Lane.BULK, "b" + i)) {
        bulkAccepted++;
      }
    }
    assertThat(bulkAccepted).isEqualTo(16);
    assertThat(lanes.offer(CommandLanes.Lane.BULK, "x")).isFalse();
    for (int i = 0; i < 16; i++) {
      assertThat(lanes.offer(CommandLanes.Lane.CONTROL, "c" + i)).isTrue();
    }
    gate.countDown();
    loop.submit(() -> {}).get();
    loop.submit(() -> {}).get();
    loop.shutdown();
    assertThat(order).hasSize(32);
    // control first within a drain turn
    assertThat(order.subList(0, 16)).allMatch(s -> s.startsWith("c"));
    assertThat(order.subList(0, 16)).containsExactly(
        "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15");
  }

  @Test
  void boundedWaitGetsRoomWhenTheLoopCatchesUp() throws Exception {
    ExecutorService loop = Executors.newSingleThreadExecutor();
    CountDownLatch gate = new CountDownLatch(1);
    loop.execute(() -> {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    AtomicLong handled = new AtomicLong();
    CommandLanes<Integer> lanes = new CommandLanes<>(4, 4, 10, loop::execute, c -> handled.incrementAndGet());
    for (int i = 0; i < 4; i++) {
      assertThat(lanes.offer(CommandLanes.Lane.BULK, i)).isTrue();
    }
    assertThat(lanes.offer(CommandLanes.Lane.BULK, 99, 0, () -> true)).isFalse();
    // a waiter gives up as soon as it is told to stop waiting (the network is closing)
    long t0 = System.nanoTime();
    assertThat(lanes.offer(CommandLanes.Lane.BULK, 98, TimeUnit.SECONDS.toNanos(60), () -> false)).isFalse();
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(30));
    Thread opener = new Thread(gate::countDown);
    opener.start();
    assertThat(lanes.offer(CommandLanes.Lane.BULK, 5, TimeUnit.SECONDS.toNanos(10), () -> true)).isTrue();
    loop.submit(() -> {}).get();
    loop.submit(() -> {}).get();
    loop.shutdown();
    assertThat(handled.get()).isEqualTo(5);
  }
}
