package io.leanp2p.protocol.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.gossip.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageCacheTest {
  private static final String T = "/t";

  private static IdKey id(int i) {
    byte[] b = new byte[20];
    b[0] = (byte) i;
    b[1] = (byte) (i >> 8);
    return IdKey.own(b);
  }

  private static Message msg(int size) {
    return Message.anonymous(T, new byte[size]);
  }

  private static List<Integer> gossiped(MessageCache c) {
    return c.gossipIds(T).stream().map(b -> (b[0] & 0xff) | (b[1] & 0xff) << 8).toList();
  }

  @Test
  void windowsExpireMessagesAndReleaseTheirBytes() {
    MessageCache c = new MessageCache(3, 2, 1000);
    c.put(id(1), msg(100));
    c.shift();
    c.put(id(2), msg(100));
    assertThat(c.bytes()).isEqualTo(200);
    assertThat(gossiped(c)).containsExactly(2, 1);
    c.shift();
    assertThat(gossiped(c)).containsExactly(2); // only the newest 2 windows are advertised
    assertThat(c.contains(id(1))).isTrue();
    c.shift();
    assertThat(c.contains(id(1))).isFalse();
    c.shift();
    assertThat(c.size()).isZero();
    assertThat(c.bytes()).isZero();
    assertThat(c.evictedEarly()).isZero();
  }

  @Test
  void theByteBudgetEvictsTheOldestFirstAndCountsIt() {
    MessageCache c = new MessageCache(6, 3, 1000);
    c.put(id(1), msg(400));
    c.shift();
    c.put(id(2), msg(400));
    c.put(id(3), msg(100));
    c.put(id(4), msg(400)); // 1300 > 1000: message 1 (oldest window) goes
    assertThat(c.contains(id(1))).isFalse();
    assertThat(c.contains(id(2))).isTrue();
    assertThat(c.bytes()).isEqualTo(900);
    c.put(id(5), msg(400)); // 1300 again: 2 (oldest remaining, first in its window) goes
    assertThat(c.contains(id(2))).isFalse();
    assertThat(c.contains(id(3))).isTrue();
    assertThat(c.evictedEarly()).isEqualTo(2);
    assertThat(gossiped(c)).containsExactly(3, 4, 5); // evicted ids are not advertised
    assertThat(c.get(id(1))).isNull();
  }

  @Test
  void aDuplicatePutCountsItsBytesOnce() {
    MessageCache c = new MessageCache(6, 3, 1000);
    c.put(id(1), msg(300));
    c.put(id(1), msg(300));
    assertThat(c.bytes()).isEqualTo(300);
    assertThat(gossiped(c)).containsExactly(1);
  }

  @Test
  void emptyOldWindowsDoNotStopEviction() {
    MessageCache c = new MessageCache(6, 3, 500);
    c.shift();
    c.shift(); // two empty windows at the old end
    c.put(id(1), msg(300));
    c.put(id(2), msg(300));
    assertThat(c.contains(id(1))).isFalse();
    assertThat(c.contains(id(2))).isTrue();
    assertThat(c.bytes()).isEqualTo(300);
  }
}
