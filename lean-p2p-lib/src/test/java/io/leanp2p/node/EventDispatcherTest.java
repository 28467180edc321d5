package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.node.EventDispatcher.EventClass;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class EventDispatcherTest {

  private static int[] caps(int gossip, int requests) {
    return caps(1 << 20, 1 << 20, gossip, requests);
  }

  private static int[] caps(int peer, int response, int gossip, int requests) {
    int[] c = new int[EventClass.values().length];
    c[EventClass.PEER.ordinal()] = peer;
    c[EventClass.RESPONSE.ordinal()] = response;
    c[EventClass.INBOUND_REQUEST.ordinal()] = requests;
    c[EventClass.GOSSIP.ordinal()] = gossip;
    return c;
  }

  private static int[] reserves(int peer, int response) {
    int[] r = new int[EventClass.values().length];
    r[EventClass.PEER.ordinal()] = peer;
    r[EventClass.RESPONSE.ordinal()] = response;
    return r;
  }

  @Test
  void blockedListenerFillsEveryClassToItsCapacityAndOnlyMustDeliverEventsUseTheReserve() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> got = new CopyOnWriteArrayList<>();
    CountDownLatch firstDelivered = new CountDownLatch(1);
    ExecutorService loop = Executors.newSingleThreadExecutor();
    CountDownLatch resumed = new CountDownLatch(1);
    Runnable[] resume = new Runnable[EventClass.values().length];
    resume[EventClass.GOSSIP.ordinal()] = resumed::countDown;
    EventDispatcher<String> d = new EventDispatcher<>("t", e -> {
      firstDelivered.countDown();
      try {
        release.await();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      got.add(e);
    }, r -> new Thread(r, "events"), loop::execute, caps(2000, 2000, 8, 8), reserves(100, 100), resume);

    assertThat(d.offer(EventClass.GOSSIP, "g-first")).isTrue();
    assertThat(firstDelivered.await(5, TimeUnit.SECONDS)).isTrue();
    int accepted = 0;
    for (int i = 0; i < 20; i++) {
      if (d.offer(EventClass.GOSSIP, "g" + i)) {
        accepted++;
      }
    }
    assertThat(accepted).isEqualTo(8);
    assertThat(d.aboveHighWatermark(EventClass.GOSSIP)).isTrue();
    d.markPaused(EventClass.GOSSIP);
    assertThat(d.shed(EventClass.GOSSIP)).isEqualTo(12);
    // the peer and response classes are bounded the same way; their reserve takes only what must
    // not be shed (terminal events, disconnections), and is bounded too
    for (int i = 0; i < 2000; i++) {
      assertThat(d.offer(EventClass.PEER, "p" + i)).isTrue();
      assertThat(d.offer(EventClass.RESPONSE, "r" + i)).isTrue();
    }
    assertThat(d.isFull(EventClass.PEER)).isTrue();
    assertThat(d.offer(EventClass.PEER, "p-shed")).isFalse();
    assertThat(d.offer(EventClass.RESPONSE, "r-shed")).isFalse();
    for (int i = 2000; i < 2100; i++) {
      assertThat(d.offerReserved(EventClass.PEER, "p" + i)).isTrue();
      assertThat(d.offerReserved(EventClass.RESPONSE, "r" + i)).isTrue();
    }
    assertThat(d.offerReserved(EventClass.RESPONSE, "r-beyond-reserve")).isFalse();
    assertThat(d.shed(EventClass.PEER)).isEqualTo(1);
    assertThat(d.shed(EventClass.RESPONSE)).isEqualTo(2);
    release.countDown();
    assertThat(resumed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(d.close(5_000)).isTrue();
    loop.shutdown();
    assertThat(got).hasSize(1 + 8 + 4200);
    assertThat(got.stream().filter(s -> s.startsWith("r"))).hasSize(2100);
    // order within a class is kept
    List<String> responses = got.stream().filter(s -> s.startsWith("r")).toList();
    for (int i = 0; i < responses.size(); i++) {
      assertThat(responses.get(i)).isEqualTo("r" + i);
    }
  }

  @Test
  void listenerExceptionsAreIsolatedAndCounted() throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    CountDownLatch two = new CountDownLatch(2);
    EventDispatcher<String> d = new EventDispatcher<>("t", e -> {
      two.countDown();
      if (e.equals("boom")) {
        throw new IllegalStateException("host bug");
      }
      got.add(e);
    }, r -> new Thread(r, "events"), Runnable::run, caps(8, 8), reserves(0, 0), new Runnable[4]);
    d.offer(EventClass.PEER, "boom");
    d.offer(EventClass.PEER, "fine");
    assertThat(two.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(d.close(5_000)).isTrue();
    assertThat(got).containsExactly("fine");
    assertThat(d.listenerFailures()).isEqualTo(1);
    assertThat(d.thread().isAlive()).isFalse();
  }

  @Test
  void closeDiscardsGossipButDeliversTerminalEvents() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch first = new CountDownLatch(1);
    List<String> got = new CopyOnWriteArrayList<>();
    EventDispatcher<String> d = new EventDispatcher<>("t", e -> {
      first.countDown();
      try {
        release.await();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      got.add(e);
    }, r -> new Thread(r, "events"), Runnable::run, caps(16, 16), reserves(0, 0), new Runnable[4]);
    d.offer(EventClass.PEER, "p0");
    assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 10; i++) {
      d.offer(EventClass.GOSSIP, "g" + i);
    }
    d.offer(EventClass.RESPONSE, "error-for-request-1");
    Thread closer = new Thread(() -> d.close(5_000));
    closer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (d.offer(EventClass.PEER, "probe-before-close") && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // until close() has stopped intake
    }
    release.countDown();
    closer.join(10_000);
    assertThat(got).contains("p0", "error-for-request-1");
    assertThat(got).noneMatch(s -> s.startsWith("g"));
    assertThat(d.discardedAtClose()).isEqualTo(10);
    assertThat(d.offer(EventClass.PEER, "late")).isFalse();
  }
}
