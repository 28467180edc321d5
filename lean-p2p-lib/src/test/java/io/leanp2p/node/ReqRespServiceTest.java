package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.node.EventDispatcher.EventClass;
import io.leanp2p.node.swarm.SwarmConfig;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;
import io.leanp2p.types.RequestError;
import io.leanp2p.protocol.reqresp.ResponseChannels;
import io.leanp2p.testing.MemoryStreams;
import io.leanp2p.testing.MemoryTransport;
import io.leanp2p.testing.SwarmNode;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.types.Direction;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The req/resp service against a fake swarm (in-memory connections, virtual time) and a recording port. */
class ReqRespServiceTest {
  private final VirtualScheduler sched = new VirtualScheduler();
  private final MemoryTransport.Net net = new MemoryTransport.Net(sched);
  private static final SwarmConfig SWARM = SwarmConfig.defaults().withDuplicateGrace(Duration.ofMillis(200));
  private static final ReqRespConfig CFG = ReqRespConfig.leanDefaults().withOpaqueStatus(true);

  final class Node {
    final SwarmNode swarm = new SwarmNode(net, sched, SWARM);
    final RecordingPort port = new RecordingPort();
    final ResponseChannels channels = new ResponseChannels(CFG.maxQueuedBytesPerChannel());
    final ReqRespService rr = new ReqRespService(CFG, channels, sched, swarm.swarm.peers(), port);

    Node() {
      swarm.swarm.addService(rr);
      swarm.listen();
    }

    void request(long id, Node to, byte[] ssz) {
      rr.sendRequest(new Command.SendRequest(id, to.swarm.id, LeanProtocol.STATUS, ssz, null));
    }

    /** Answers the host's way: reserve the bytes, then hand the chunk over. */
    void answer(long channel, byte[] ssz) {
      assertThat(channels.tryReserve(channel, ssz.length)).isEqualTo(ResponseChannels.Reservation.OK);
      rr.responseChunk(channel, ssz);
    }
  }

  private Node[] connected() {
    Node a = new Node();
    Node b = new Node();
    a.swarm.dial(b.swarm);
    sched.advanceMillis(10);
    return new Node[] {a, b};
  }

  @Test
  void aRequestReachesTheOtherHostAndItsAnswerComesBackWithOneTerminalEvent() {
    Node[] n = connected();
    Node a = n[0];
    Node b = n[1];
    byte[] status = new byte[80];
    Arrays.fill(status, (byte) 7);
    a.request(1, b, status);
    sched.advanceMillis(20);
    assertThat(b.port.inbound).singleElement().satisfies(r -> {
      assertThat(r.peer()).isEqualTo(a.swarm.id);
      assertThat(r.data()).isEqualTo(status);
    });
    long channel = b.port.inbound.get(0).channelId();
    assertThat(b.channels.isOpen(channel)).isTrue();
    b.answer(channel, status);
    b.rr.endResponse(channel);
    assertThat(b.channels.isOpen(channel)).as("finished: the host can no longer answer").isFalse();
    sched.advanceMillis(20);
    assertThat(a.port.responses).hasSize(2);
    assertThat(a.port.responses.get(0)).isInstanceOfSatisfying(NetworkEvent.ResponseChunk.class,
        c -> assertThat(c.data()).isEqualTo(status));
    assertThat(a.port.responses.get(1)).isInstanceOf(NetworkEvent.EndOfStream.class);
    assertThat(a.port.slotsReleased).containsExactly(b.swarm.id);
    assertThat(b.port.peerEvents).isEmpty();
  }

  @Test
  void aRequestResetWithAClosingDuplicateConnectionIsSentAgainOnTheSurvivorOnce() {
    Node a = new Node();
    Node b = new Node();
    a.swarm.dial(b.swarm);
    b.swarm.dial(a.swarm); // simultaneous dials: two connections, one survives
    sched.advanceMillis(10);
    io.leanp2p.transport.Connection first = a.swarm.swarm.peers().connection(b.swarm.id).orElseThrow();
    byte[] status = new byte[80];
    Arrays.fill(status, (byte) 3);
    a.request(1, b, status);
    sched.advanceMillis(5);
    assertThat(b.port.inbound).hasSize(1); // reached b on the connection that is about to close
    first.close("test: the remote closed it as its duplicate");
    sched.advanceMillis(20);
    assertThat(a.swarm.swarm.peers().isConnected(b.swarm.id)).isTrue();
    assertThat(a.port.responses).as("no terminal event for the reset: the request was sent again").isEmpty();
    assertThat(b.port.inbound).hasSize(2);
    assertThat(b.port.inbound.get(1).data()).isEqualTo(status);
    long channel = b.port.inbound.get(1).channelId();
    b.answer(channel, status);
    b.rr.endResponse(channel);
    sched.advanceMillis(20);
    assertThat(a.port.responses).hasSize(2);
    assertThat(a.port.responses.get(1)).isInstanceOfSatisfying(NetworkEvent.EndOfStream.class,
        e -> assertThat(e.requestId()).isEqualTo(1));
    assertThat(a.port.slotsReleased).containsExactly(b.swarm.id);
  }

  @Test
  void aRequestIsSentAgainAtMostOnceAndNotWhenThePeerIsGone() {
    Node a = new Node();
    Node b = new Node();
    a.swarm.dial(b.swarm);
    sched.advanceMillis(10);
    a.request(1, b, new byte[80]);
    sched.advanceMillis(5);
    a.swarm.swarm.peers().connection(b.swarm.id).orElseThrow().close("test: the only connection closes");
    sched.advanceMillis(20);
    assertThat(a.swarm.swarm.peers().isConnected(b.swarm.id)).isFalse();
    assertThat(a.port.response(NetworkEvent.RequestFailed.class)).singleElement()
        .satisfies(f -> assertThat(f.error().kind()).isIn(RequestError.Kind.STREAM_RESET, RequestError.Kind.DISCONNECTED));
    assertThat(a.port.slotsReleased).containsExactly(b.swarm.id);
  }

  @Test
  void aRequestToAPeerThatIsNotConnectedEndsAtOnce() {
    Node a = new Node();
    Node b = new Node();
    a.request(1, b, new byte[80]);
    assertThat(a.port.response(NetworkEvent.RequestFailed.class)).singleElement()
        .satisfies(f -> assertThat(f.error().kind()).isEqualTo(RequestError.Kind.NOT_CONNECTED));
    assertThat(a.port.slotsReleased).containsExactly(b.swarm.id);
  }

  @Test
  void aHostWithoutRoomForAResponseChunkEndsTheRequestShedAndTheStreamIsReset() {
    Node[] n = connected();
    Node a = n[0];
    Node b = n[1];
    a.port.full.add(EventClass.RESPONSE);
    a.request(1, b, new byte[80]);
    sched.advanceMillis(20);
    b.answer(b.port.inbound.get(0).channelId(), new byte[80]);
    sched.advanceMillis(20);
    assertThat(a.port.responses).singleElement().isInstanceOfSatisfying(NetworkEvent.RequestFailed.class,
        f -> assertThat(f.error().kind()).isEqualTo(RequestError.Kind.SHED));
    assertThat(b.port.peer(NetworkEvent.ResponseChannelClosed.class)).hasSize(1); // b saw the reset
  }

  @Test
  void aHostBehindOnResponsesPausesReadingTheResponseStreamsUntilItDrains() {
    Node[] n = connected();
    Node a = n[0];
    Node b = n[1];
    a.port.backlogged.add(EventClass.RESPONSE);
    byte[] range = new byte[16];
    range[8] = 3; // blocks_by_range start 0, count 3
    a.rr.sendRequest(new Command.SendRequest(1, b.swarm.id, LeanProtocol.BLOCKS_BY_RANGE, range, null));
    sched.advanceMillis(20);
    long channel = b.port.inbound.get(0).channelId();
    b.answer(channel, new byte[] {1});
    sched.advanceMillis(20);
    assertThat(a.port.response(NetworkEvent.ResponseChunk.class)).hasSize(1);
    assertThat(a.port.paused).containsExactly(EventClass.RESPONSE);
    MemoryStreams.End responseStream = ((MemoryStreams.MemoryConnection) a.swarm.swarm.peers().connection(b.swarm.id)
        .orElseThrow()).streams().stream().filter(s -> s.direction() == Direction.OUTBOUND).findFirst().orElseThrow();
    assertThat(responseStream.isReadPaused()).isTrue();
    b.answer(channel, new byte[] {2});
    b.rr.endResponse(channel);
    sched.advanceMillis(20);
    assertThat(a.port.response(NetworkEvent.ResponseChunk.class)).as("held back by the paused read").hasSize(1);
    a.port.backlogged.clear();
    a.rr.resumeResponses();
    sched.advanceMillis(20);
    assertThat(a.port.response(NetworkEvent.ResponseChunk.class)).hasSize(2);
    assertThat(a.port.response(NetworkEvent.EndOfStream.class)).hasSize(1);
  }

  @Test
  void aHostWithoutRoomForARequestMakesTheRemoteHearResourceUnavailable() {
    Node[] n = connected();
    Node a = n[0];
    Node b = n[1];
    b.port.full.add(EventClass.INBOUND_REQUEST);
    a.request(1, b, new byte[80]);
    sched.advanceMillis(20);
    assertThat(b.port.inbound).isEmpty();
    assertThat(a.port.response(NetworkEvent.RequestFailed.class)).singleElement().satisfies(f -> {
      assertThat(f.error().kind()).isEqualTo(RequestError.Kind.WIRE_ERROR);
      assertThat(f.error().code()).isEqualTo(ResponseCode.RESOURCE_UNAVAILABLE);
    });
  }

  @Test
  void aHostBehindOnRequestsPausesReadingNewRequestStreams() {
    Node[] n = connected();
    Node a = n[0];
    Node b = n[1];
    b.port.backlogged.add(EventClass.INBOUND_REQUEST);
    a.request(1, b, new byte[80]);
    sched.advanceMillis(20);
    assertThat(b.port.paused).containsExactly(EventClass.INBOUND_REQUEST);
    a.request(2, b, new byte[80]);
    sched.advanceMillis(20);
    assertThat(b.port.inbound).as("the second request waits unread").hasSize(1);
    b.rr.resumeRequests();
    sched.advanceMillis(20);
    assertThat(b.port.inbound).hasSize(2);
  }

  @Test
  void aPeerThatGoesAwayEndsItsRequestsAndClosesItsChannels() {
    Node[] n = connected();
    Node a = n[0];
    Node b = n[1];
    a.request(1, b, new byte[80]);
    b.request(2, a, new byte[80]);
    sched.advanceMillis(20);
    a.swarm.swarm.disconnect(b.swarm.id, "test");
    sched.advanceMillis(20);
    assertThat(a.port.response(NetworkEvent.RequestFailed.class)).singleElement()
        .satisfies(f -> assertThat(f.error().kind()).isIn(RequestError.Kind.DISCONNECTED, RequestError.Kind.STREAM_RESET));
    assertThat(a.port.peer(NetworkEvent.ResponseChannelClosed.class)).hasSize(1);
    long channel = a.port.inbound.get(0).channelId();
    assertThat(a.channels.isOpen(channel)).isFalse();
    // a late answer on the finished channel is reported, not lost silently
    a.rr.responseChunk(channel, new byte[80]);
    assertThat(a.port.peer(NetworkEvent.ResponseChannelClosed.class)).hasSize(1); // channel already reported gone
  }
}
