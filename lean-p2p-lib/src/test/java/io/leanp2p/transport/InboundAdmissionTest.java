package io.leanp2p.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.testing.VirtualScheduler;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import io.leanp2p.types.CloseReason;
import io.leanp2p.config.AdmissionConfig;

/** The admission rules, under virtual time, on embedded channels. */
class InboundAdmissionTest {
  private final VirtualScheduler sched = new VirtualScheduler();
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  private static final AdmissionConfig CFG =
      AdmissionConfig.defaults().withExemptLoopback(false).withMaxPending(6, 3).withRate(2.0, 4)
          .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(10));

  private EmbeddedChannel channel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    channels.add(ch);
    return ch;
  }

  private static InetSocketAddress from(String ip) {
    return new InetSocketAddress(ip, 4000);
  }

  @AfterEach
  void close() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  @Test
  void perIpRateIsATokenBucket() {
    InboundAdmission a = new InboundAdmission(CFG, sched);
    int admitted = 0;
    for (int i = 0; i < 10; i++) {
      EmbeddedChannel ch = channel();
      if (a.admit(ch, from("10.0.0.1"), false)) {
        admitted++;
        InboundAdmission.upgraded(ch); // not pending: only the rate limits
      }
    }
    assertThat(admitted).isEqualTo(4); // the burst
    assertThat(a.counters().refusedRate()).isEqualTo(6);
    sched.advanceMillis(1000); // two more tokens
    assertThat(a.admit(channel(), from("10.0.0.1"), false)).isTrue();
    assertThat(a.admit(channel(), from("10.0.0.1"), false)).isTrue();
    assertThat(a.admit(channel(), from("10.0.0.1"), false)).isFalse();
    // another address has its own bucket
    assertThat(a.admit(channel(), from("10.0.0.2"), false)).isTrue();
  }

  @Test
  void refusedChannelsAreClosedWithAReason() {
    InboundAdmission a = new InboundAdmission(CFG.withMaxPending(6, 1), sched);
    assertThat(a.admit(channel(), from("10.0.0.1"), false)).isTrue();
    EmbeddedChannel refused = channel();
    assertThat(a.admit(refused, from("10.0.0.1"), false)).isFalse();
    assertThat(refused.isOpen()).isFalse();
    assertThat(ChannelCloseReason.get(refused).kind()).isEqualTo(CloseReason.Kind.REFUSED);
    assertThat(ChannelCloseReason.get(refused).detail()).contains("pending").contains("10.0.0.1");
    assertThat(a.counters().refusedPerIp()).isEqualTo(1);
  }

  @Test
  void atTheTotalCapTheOldestPendingMakesRoom() {
    InboundAdmission a = new InboundAdmission(CFG, sched);
    List<EmbeddedChannel> pending = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      EmbeddedChannel ch = channel();
      assertThat(a.admit(ch, from("10.0.1." + i), false)).isTrue();
      pending.add(ch);
    }
    assertThat(a.counters().pending()).isEqualTo(6);
    EmbeddedChannel newcomer = channel();
    assertThat(a.admit(newcomer, from("10.0.2.1"), false)).isTrue();
    assertThat(pending.get(0).isOpen()).as("the oldest was evicted").isFalse();
    assertThat(pending.get(1).isOpen()).isTrue();
    assertThat(newcomer.isOpen()).isTrue();
    assertThat(a.counters().evictedOldest()).isEqualTo(1);
    assertThat(a.counters().pending()).isEqualTo(6);
  }

  @Test
  void silentChannelsTimeOutAtTheFirstByteAndSlowOnesAtTheUpgrade() {
    InboundAdmission a = new InboundAdmission(CFG, sched);
    EmbeddedChannel silent = channel();
    EmbeddedChannel talking = channel();
    assertThat(a.admit(silent, from("10.0.0.1"), true)).isTrue();
    assertThat(a.admit(talking, from("10.0.0.2"), true)).isTrue();
    talking.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x13}));
    assertThat(talking.pipeline().get("first-bytes")).as("the guard steps out after the first bytes").isNull();
    sched.advanceMillis(3000);
    assertThat(silent.isOpen()).isFalse();
    assertThat(ChannelCloseReason.get(silent).kind()).isEqualTo(CloseReason.Kind.TIMEOUT);
    assertThat(talking.isOpen()).isTrue();
    sched.advanceMillis(7000);
    assertThat(talking.isOpen()).as("not upgraded within 10 s").isFalse();
    assertThat(a.counters().firstByteTimeouts()).isEqualTo(1);
    assertThat(a.counters().pendingTimeouts()).isEqualTo(1);
    assertThat(a.counters().pending()).isZero();
  }

  @Test
  void upgradedChannelsLeaveThePendingSetAndTheirTimersStop() {
    InboundAdmission a = new InboundAdmission(CFG, sched);
    EmbeddedChannel ch = channel();
    assertThat(a.admit(ch, from("10.0.0.1"), true)).isTrue();
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
    InboundAdmission.upgraded(ch);
    assertThat(a.counters().pending()).isZero();
    sched.advanceMillis(60_000);
    assertThat(ch.isOpen()).isTrue();
    // and a closed pending channel frees its slot and its IP's count
    EmbeddedChannel c2 = channel();
    EmbeddedChannel c3 = channel();
    EmbeddedChannel c4 = channel();
    assertThat(a.admit(c2, from("10.0.0.9"), false)).isTrue();
    assertThat(a.admit(c3, from("10.0.0.9"), false)).isTrue();
    assertThat(a.admit(c4, from("10.0.0.9"), false)).isTrue();
    assertThat(a.admit(channel(), from("10.0.0.9"), false)).isFalse();
    c2.close();
    assertThat(a.admit(channel(), from("10.0.0.9"), false)).isTrue();
  }

  @Test
  void loopbackIsExemptFromThePerIpLimitsByDefault() {
    InboundAdmission a = new InboundAdmission(CFG.withExemptLoopback(true), sched);
    for (int i = 0; i < 50; i++) {
      EmbeddedChannel ch = channel();
      assertThat(a.admit(ch, from("127.0.0.1"), false)).isTrue();
      InboundAdmission.upgraded(ch);
    }
    assertThat(a.counters().refusedRate()).isZero();
  }

  @Test
  void ipv6AddressesAreLimitedPerSlash56() {
    InboundAdmission a = new InboundAdmission(CFG, sched);
    int admitted = 0;
    for (int i = 0; i < 8; i++) {
      EmbeddedChannel ch = channel();
      // different /64s inside one /56
      if (a.admit(ch, from("2001:db8:0:" + Integer.toHexString(i) + "::1"), false)) {
        admitted++;
        InboundAdmission.upgraded(ch);
      }
    }
    assertThat(admitted).isEqualTo(4);
    assertThat(a.admit(channel(), from("2001:db8:0:100::1"), false)).as("another /56").isTrue();
  }

  @Test
  void theRateTableIsBounded() {
    AdmissionConfig small = new AdmissionConfig(1000, 8, 1.0, 2, Duration.ofSeconds(3), Duration.ofSeconds(10), false, 4);
    InboundAdmission a = new InboundAdmission(small, sched);
    for (int i = 0; i < 4; i++) {
      EmbeddedChannel ch = channel();
      assertThat(a.admit(ch, from("10.0.3." + i), false)).isTrue();
      InboundAdmission.upgraded(ch);
    }
    assertThat(a.admit(channel(), from("10.0.3.9"), false)).as("table full, none refilled").isFalse();
    assertThat(a.counters().refusedUntracked()).isEqualTo(1);
    sched.advanceMillis(1000); // every bucket refilled: forgotten when room is needed
    assertThat(a.admit(channel(), from("10.0.3.9"), false)).isTrue();
  }
}
