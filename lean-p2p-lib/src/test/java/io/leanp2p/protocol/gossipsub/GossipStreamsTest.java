package io.leanp2p.protocol.gossipsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.gossip.Message;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.RpcFrames;
import io.leanp2p.config.RpcLimits;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.testing.MemoryStreams;
import io.leanp2p.testing.VirtualScheduler;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GossipStreamsTest {
  private static final String T = "/leanconsensus/12345678/block/ssz_snappy";

  @Test
  @Timeout(10)
  void rpcsCrossAFragmentingStreamWithLeftoverBytesFirst() {
    VirtualScheduler sched = new VirtualScheduler();
    MemoryStreams.Pair pair = MemoryStreams.pair(sched, MemoryStreams.Options.defaults().randomPieces(7, 5));
    PeerId a = GossipRouterTestAccess.peer("a");
    PeerId b = GossipRouterTestAccess.peer("b");
    List<Rpc> got = new ArrayList<>();
    GossipStreams sender = new GossipStreams((p, r) -> {}, RpcLimits.DEFAULT, 1 << 20);
    GossipStreams receiver = new GossipStreams((p, r) -> {
      assertThat(p).isEqualTo(a);
      got.add(r);
    }, RpcLimits.DEFAULT, 1 << 20);
    Rpc first = Rpc.ofSubscriptions(List.of(new SubOpts(true, T)));
    receiver.attachInbound(a, pair.listener(), Unpooled.wrappedBuffer(RpcFrames.encode(first)));
    // sent before the outbound stream exists: queued, written first once it is attached
    Rpc early = Rpc.ofSubscriptions(List.of(new SubOpts(true, "early")));
    sender.send(b, early);
    sender.attachOutbound(b, pair.dialer());
    List<Rpc> expected = new ArrayList<>(List.of(first, early));
    for (int i = 0; i < 20; i++) {
      Rpc r = Rpc.ofPublish(List.of(Message.anonymous(T, new byte[i * 10])));
      expected.add(r);
      sender.send(b, r);
    }
    // an undecodable RPC in a valid frame is skipped, the stream goes on
    pair.dialer().write(Unpooled.wrappedBuffer(new byte[] {1, 0x0e}));
    Rpc last = Rpc.ofSubscriptions(List.of(new SubOpts(false, T)));
    sender.send(b, last);
    expected.add(last);
    for (int i = 0; i < 1000 && got.size() < expected.size(); i++) {
      sched.advanceMillis(1);
    }
    assertThat(got).isEqualTo(expected);
    assertThat(receiver.counters().rpcDecodeErrors()).isEqualTo(1);
  }

  @Test
  @Timeout(10)
  void outboundQueueIsBoundedAndRespectsWritability() {
    VirtualScheduler sched = new VirtualScheduler();
    MemoryStreams.Pair pair = MemoryStreams.pair(sched, MemoryStreams.Options.defaults().window(1000));
    PeerId b = GossipRouterTestAccess.peer("b");
    List<Rpc> got = new ArrayList<>();
    GossipStreams sender = new GossipStreams((p, r) -> {}, RpcLimits.DEFAULT, 5000);
    GossipStreams receiver = new GossipStreams((p, r) -> got.add(r), RpcLimits.DEFAULT, 5000);
    sender.attachOutbound(b, pair.dialer());
    for (int i = 0; i < 20; i++) {
      sender.send(b, Rpc.ofPublish(List.of(Message.anonymous(T, new byte[900]))));
    }
    // window 1000: one frame in flight, the rest queued up to 5000 bytes, the remainder dropped
    assertThat(sender.queuedBytes(b)).isLessThanOrEqualTo(5000).isPositive();
    long dropped = sender.counters().rpcsDroppedQueueFull();
    assertThat(dropped).isPositive();
    receiver.attachInbound(GossipRouterTestAccess.peer("a"), pair.listener(), null);
    for (int i = 0; i < 1000 && sender.queuedBytes(b) > 0; i++) {
      sched.advanceMillis(1);
    }
    sched.advanceMillis(10);
    assertThat(got).hasSize((int) (20 - dropped));
    assertThat(sender.queuedBytes(b)).isZero();
  }

  @Test
  @Timeout(10)
  void brokenFramingResetsTheStream() {
    VirtualScheduler sched = new VirtualScheduler();
    MemoryStreams.Pair pair = MemoryStreams.pair(sched);
    GossipStreams receiver = new GossipStreams((p, r) -> {}, new RpcLimits(100, 10, 10, 10, 10), 5000);
    receiver.attachInbound(GossipRouterTestAccess.peer("a"), pair.listener(), null);
    pair.dialer().write(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 0x7f}));
    sched.advanceMillis(10);
    assertThat(receiver.counters().framingErrors()).isEqualTo(1);
    assertThat(pair.listener().isReset()).isTrue();
  }
}
