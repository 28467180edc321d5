package io.leanp2p.protocol.reqresp;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.protocol.reqresp.ReqRespHarness.Node;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.testing.MemoryStreams;
import io.leanp2p.util.Hex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.leanp2p.types.RequestError;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;

@Timeout(60)
class ReqRespTest {
  static final ReqRespConfig CFG = ReqRespConfig.leanDefaults();

  static byte[] status(int seed) {
    byte[] b = new byte[80];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] roots(int n) {
    byte[] b = new byte[4 + 32 * n];
    b[0] = 4;
    for (int i = 0; i < n; i++) {
      b[4 + 32 * i] = (byte) i;
      b[5 + 32 * i] = (byte) (i >> 8);
    }
    return b;
  }

  static int rootIndex(byte[] rootsSsz, int i) {
    return (rootsSsz[4 + 32 * i] & 0xff) | (rootsSsz[5 + 32 * i] & 0xff) << 8;
  }

  static byte[] range(long start, long count) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (start >>> (8 * i));
      b[8 + i] = (byte) (count >>> (8 * i));
    }
    return b;
  }

  static long rangeCount(byte[] ssz) {
    long c = 0;
    for (int i = 7; i >= 0; i--) {
      c = c << 8 | (ssz[8 + i] & 0xff);
    }
    return c;
  }

  static byte[] block(long slot, int size) {
    byte[] b = new byte[size];
    new Random(slot * 7919).nextBytes(b);
    return b;
  }

  @Test
  void statusRoundTripOverMultistream() {
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().randomPieces(1, 5));
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    byte[] theirs = status(2);
    b.host =
        (self, ch, peer, p, ssz) -> {
          assertThat(peer).isEqualTo(a.id);
          assertThat(p).isEqualTo(LeanProtocol.STATUS);
          assertThat(self.rr.sendChunk(ch, theirs)).isEqualTo(ChannelOutcome.OK);
          assertThat(self.rr.endResponse(ch)).isEqualTo(ChannelOutcome.OK);
          assertThat(self.rr.sendChunk(ch, theirs)).isEqualTo(ChannelOutcome.CHANNEL_FINISHED);
        };
    byte[] mine = status(1);
    assertThat(a.rr.request(1, b.id, LeanProtocol.STATUS, mine)).isEqualTo(RequestOutcome.ACCEPTED);
    assertThat(a.eventsOf(1)).isEmpty(); // nothing inside request()
    h.sched.runDue();
    assertThat(b.channelEvents).hasSize(1);
    assertThat(b.channelEvents.get(0).data()).isEqualTo(mine);
    assertThat(a.chunks(1)).hasSize(1);
    assertThat(a.chunks(1).get(0)).isEqualTo(theirs);
    assertThat(a.terminals(1)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    assertThat(a.rr.snapshot().requestsEnded()).isEqualTo(1);
    assertThat(a.rr.snapshot().requestsInFlight()).isZero();
    assertThat(b.rr.snapshot().inboundActive()).isZero();
    assertThat(b.rr.snapshot().responseChunksSent()).isEqualTo(1);
    assertThat(b.rr.sendChunk(999, theirs)).isEqualTo(ChannelOutcome.UNKNOWN_CHANNEL);
  }

  @Test
  void blocksByRange1024x100KiBStreamedUnderBackpressure() {
    // window 256 KiB, queue 4 chunks of 100 KiB: the host must follow QUEUE_FULL / onChannelDrained
    var h =
        new ReqRespHarness(
            MemoryStreams.Options.defaults().randomPieces(7, 48 * 1024).window(256 * 1024));
    ReqRespConfig cfg = CFG.withMaxQueuedBytesPerChannel(4 * 100 * 1024).withRequestTimeout(Duration.ofSeconds(60));
    Node a = h.node(cfg);
    Node b = h.node(cfg);
    h.connect(a, b);
    int size = 100 * 1024;
    long[] next = {0};
    long[] count = {0};
    long[] channel = {0};
    int[] queueFull = {0};
    Runnable pump =
        () -> {
          while (next[0] < count[0]) {
            ChannelOutcome o = b.rr.sendChunk(channel[0], block(next[0], size));
            if (o == ChannelOutcome.QUEUE_FULL) {
              queueFull[0]++;
              return;
            }
            assertThat(o).isEqualTo(ChannelOutcome.OK);
            next[0]++;
          }
          assertThat(b.rr.endResponse(channel[0])).isEqualTo(ChannelOutcome.OK);
        };
    b.host =
        (self, ch, peer, p, ssz) -> {
          channel[0] = ch;
          count[0] = rangeCount(ssz);
          pump.run();
        };
    b.onDrained = ch -> pump.run();
    a.recordChunks = false;
    long[] received = {0};
    long[] mismatches = {0};
    a.onChunk =
        (id, ssz) -> {
          if (!Arrays.equals(ssz, block(received[0], size))) {
            mismatches[0]++;
          }
          received[0]++;
        };
    assertThat(a.rr.request(7, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(0, 1024)))
        .isEqualTo(RequestOutcome.ACCEPTED);
    for (int i = 0; i < 500 && a.terminals(7).isEmpty(); i++) {
      h.sched.advanceMillis(10);
    }
    assertThat(a.terminals(7)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    assertThat(a.chunks(7)).hasSize(1024);
    assertThat(queueFull[0]).as("backpressure reached the host").isPositive();
    assertThat(b.rr.snapshot().channelQueueFull()).isEqualTo(queueFull[0]);
    assertThat(b.rr.snapshot().responseChunksSent()).isEqualTo(1024);
    assertThat(a.rr.snapshot().responseChunksReceived()).isEqualTo(1024);
    assertThat(received[0]).isEqualTo(1024);
    assertThat(mismatches[0]).isZero();
  }

  @Test
  void blocksByRangeContentArrivesInOrder() {
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().randomPieces(3, 3000));
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    b.host =
        (self, ch, peer, p, ssz) -> {
          for (long s = 0; s < rangeCount(ssz); s++) {
            assertThat(self.rr.sendChunk(ch, block(s, 70_000 + (int) s))).isEqualTo(ChannelOutcome.OK);
          }
          self.rr.endResponse(ch);
        };
    a.rr.request(1, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(0, 20));
    h.sched.runDue();
    List<byte[]> got = a.chunks(1);
    assertThat(got).hasSize(20);
    for (int s = 0; s < 20; s++) {
      assertThat(got.get(s)).isEqualTo(block(s, 70_000 + s));
    }
    assertThat(a.terminals(1)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"whole", "fixed:1", "fixed:2", "fixed:3", "fixed:17", "random:1", "random:2", "random:3"})
  void mixedResponseSurvivesEveryFragmentation(String cut) {
    String[] c = cut.split(":");
    var o = MemoryStreams.Options.defaults();
    long seed = Long.getLong("splits.seed", System.nanoTime());
    o =
        switch (c[0]) {
          case "fixed" -> o.fixedPieces(Integer.parseInt(c[1]));
          case "random" -> o.randomPieces(seed + Integer.parseInt(c[1]), 64);
          default -> o;
        };
    System.out.println("fragmentation " + cut + " seed=" + seed);
    var h = new ReqRespHarness(o);
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    byte[] compressible = new byte[3000]; // snappy-compressed frame chunks
    Arrays.fill(compressible, (byte) 7);
    b.host =
        (self, ch, peer, p, ssz) -> {
          self.rr.sendChunk(ch, block(1, 200));
          self.rr.sendChunk(ch, compressible);
          self.rr.sendChunk(ch, new byte[0]);
          self.rr.sendError(ch, ResponseCode.RESOURCE_UNAVAILABLE, "errür😀fail");
        };
    a.rr.request(1, b.id, LeanProtocol.BLOCKS_BY_ROOT, roots(5));
    h.sched.runDue();
    assertThat(a.chunks(1)).hasSize(3);
    assertThat(a.chunks(1).get(0)).isEqualTo(block(1, 200));
    assertThat(a.chunks(1).get(1)).isEqualTo(compressible);
    assertThat(a.chunks(1).get(2)).isEmpty();
    assertThat(a.terminals(1)).hasSize(1);
    RequestError e = a.terminals(1).get(0).error();
    assertThat(e.code()).isEqualTo(ResponseCode.RESOURCE_UNAVAILABLE);
    assertThat(e.message()).isEqualTo("errür😀fail");
  }

  @Test
  void blocksByRootSkipsMissingRoots() {
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().fixedPieces(1));
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    b.host =
        (self, ch, peer, p, ssz) -> {
          int n = (ssz.length - 4) / 32;
          for (int i = 0; i < n; i++) {
            int idx = rootIndex(ssz, i);
            if (idx % 3 != 1) { // roots 1, 4, 7 are unknown here
              self.rr.sendChunk(ch, block(idx, 150));
            }
          }
          self.rr.endResponse(ch);
        };
    a.rr.request(5, b.id, LeanProtocol.BLOCKS_BY_ROOT, roots(9));
    h.sched.runDue();
    assertThat(a.terminals(5)).as("%s", a.terminals(5)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    assertThat(a.chunks(5)).hasSize(6);
    int[] expected = {0, 2, 3, 5, 6, 8};
    for (int i = 0; i < expected.length; i++) {
      assertThat(a.chunks(5).get(i)).isEqualTo(block(expected[i], 150));
    }
    assertThat(a.terminals(5)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
  }

  @Test
  void eachErrorCodeReachesTheRequesterWithItsMessage() {
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().randomPieces(11, 4));
    Node a = h.node(CFG.withMaxConcurrentPerPeer(8));
    Node b = h.node(CFG);
    h.connect(a, b);
    String longMsg = "é".repeat(200) + "tail"; // 404 bytes: cut at 256 bytes
    ResponseCode[] codes = {
      ResponseCode.INVALID_REQUEST, ResponseCode.SERVER_ERROR, ResponseCode.RESOURCE_UNAVAILABLE
    };
    b.host =
        (self, ch, peer, p, ssz) -> {
          int i = ssz[0];
          if (i == 3) {
            self.rr.sendChunk(ch, block(1, 10));
            assertThat(self.rr.sendError(ch, ResponseCode.SERVER_ERROR, longMsg)).isEqualTo(ChannelOutcome.OK);
          } else {
            assertThat(self.rr.sendError(ch, ResponseCode.SUCCESS, "x")).isEqualTo(ChannelOutcome.INVALID);
            self.rr.sendError(ch, codes[i], "message " + codes[i]);
          }
          assertThat(self.rr.sendError(ch, ResponseCode.SERVER_ERROR, "again"))
              .isEqualTo(ChannelOutcome.CHANNEL_FINISHED);
        };
    for (int i = 0; i < 4; i++) {
      byte[] st = status(i);
      st[0] = (byte) i;
      assertThat(a.rr.request(i, b.id, LeanProtocol.STATUS, st)).isEqualTo(RequestOutcome.ACCEPTED);
    }
    h.sched.runDue();
    for (int i = 0; i < 3; i++) {
      var t = a.terminals(i);
      assertThat(t).hasSize(1);
      RequestError e = t.get(0).error();
      assertThat(e.kind()).isEqualTo(RequestError.Kind.WIRE_ERROR);
      assertThat(e.code()).isEqualTo(codes[i]);
      assertThat(e.rawCode()).isEqualTo(codes[i].code());
      assertThat(e.message()).isEqualTo("message " + codes[i]);
    }
    assertThat(a.chunks(3)).hasSize(1);
    RequestError e3 = a.terminals(3).get(0).error();
    assertThat(e3.code()).isEqualTo(ResponseCode.SERVER_ERROR);
    byte[] cut = Arrays.copyOf(longMsg.getBytes(StandardCharsets.UTF_8), 256);
    assertThat(e3.message().getBytes(StandardCharsets.UTF_8))
        .isEqualTo(new String(cut, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
    assertThat(a.rr.snapshot().requestWireErrors()).isEqualTo(4);
  }

  @Test
  void unknownWireCodesAreMappedAndKeepTheRawCode() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    int[] raw = {4, 127, 128, 255};
    ResponseCode[] mapped = {
      ResponseCode.SERVER_ERROR, ResponseCode.SERVER_ERROR,
      ResponseCode.INVALID_REQUEST, ResponseCode.INVALID_REQUEST
    };
    for (int i = 0; i < raw.length; i++) {
      byte[] chunk = SszSnappy.encodeResponseChunk(ResponseCode.SERVER_ERROR, "odd".getBytes(StandardCharsets.UTF_8));
      chunk[0] = (byte) raw[i];
      h.rawResponder(b, LeanProtocol.STATUS, chunk, true);
      a.rr.request(i, b.id, LeanProtocol.STATUS, status(i));
      h.sched.runDue();
      RequestError e = a.terminals(i).get(0).error();
      assertThat(e.kind()).isEqualTo(RequestError.Kind.WIRE_ERROR);
      assertThat(e.rawCode()).isEqualTo(raw[i]);
      assertThat(e.code()).isEqualTo(mapped[i]);
      assertThat(e.message()).isEqualTo("odd");
    }
  }

  @Test
  void responderNeverAnswersGivesExactlyOneTimeout() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG); // 10 s request timeout
    Node b = h.node(CFG.withResponderIdleTimeout(Duration.ofSeconds(60)));
    h.connect(a, b);
    long[] channel = {0};
    b.host = (self, ch, peer, p, ssz) -> channel[0] = ch;
    a.rr.request(1, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(0, 4));
    h.sched.runDue();
    assertThat(channel[0]).isPositive();
    h.sched.advanceMillis(9_999);
    assertThat(a.terminals(1)).isEmpty();
    h.sched.advanceMillis(1);
    assertThat(a.terminals(1)).hasSize(1);
    assertThat(a.terminals(1).get(0).error().kind()).isEqualTo(RequestError.Kind.TIMEOUT);
    // late answers find the channel gone (the requester reset the stream): no second event
    h.sched.runDue();
    assertThat(b.rr.sendChunk(channel[0], block(0, 10))).isEqualTo(ChannelOutcome.CHANNEL_FINISHED);
    assertThat(b.channelEvents).extracting(ReqRespHarness.Event::kind).contains("closed:stream reset: remote reset");
    h.sched.advanceMillis(120_000);
    assertThat(a.eventsOf(1)).hasSize(1);
    assertThat(a.rr.snapshot().requestTimeouts()).isEqualTo(1);
    assertThat(a.rr.snapshot().requestsInFlight()).isZero();
    assertThat(b.rr.snapshot().inboundActive()).isZero();
  }

  @Test
  void lateBytesAfterTimeoutAreDropped() {
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().latencyMillis(1_000));
    Node a = h.node(CFG);
    Node b = h.node(CFG.withResponderIdleTimeout(Duration.ofSeconds(30)));
    h.connect(a, b);
    b.host =
        (self, ch, peer, p, ssz) ->
            // answers 9.5 s after the request started: the chunk lands after a's 10 s deadline
            h.sched.schedule(
                Duration.ofMillis(9_500 - h.sched.millis()).toNanos(),
                () -> {
                  self.rr.sendChunk(ch, status(9));
                  self.rr.endResponse(ch);
                });
    a.rr.request(1, b.id, LeanProtocol.STATUS, status(1));
    h.sched.advanceMillis(60_000);
    assertThat(b.rr.snapshot().responseChunksSent()).isEqualTo(1);
    assertThat(a.eventsOf(1)).hasSize(1);
    assertThat(a.eventsOf(1).get(0).error().kind()).isEqualTo(RequestError.Kind.TIMEOUT);
    assertThat(a.rr.snapshot().responseChunksReceived()).isZero();
  }

  @Test
  void aChunkTooManyIsAProtocolViolation() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    byte[] one = SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, block(1, 100));
    byte[] three = new byte[one.length * 3];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(one, 0, three, i * one.length, one.length);
    }
    h.rawResponder(b, LeanProtocol.BLOCKS_BY_ROOT, three, false); // no FIN: must not hang
    a.rr.request(1, b.id, LeanProtocol.BLOCKS_BY_ROOT, roots(2));
    h.sched.runDue();
    assertThat(a.chunks(1)).hasSize(2);
    assertThat(a.terminals(1)).hasSize(1);
    assertThat(a.terminals(1).get(0).error().kind()).isEqualTo(RequestError.Kind.PROTOCOL_VIOLATION);
    assertThat(a.rr.snapshot().requestProtocolViolations()).isEqualTo(1);
  }

  @Test
  void truncatedOrGarbageResponsesAreProtocolViolations() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    byte[] one = SszSnappy.encodeResponseChunk(ResponseCode.SUCCESS, status(3));
    h.rawResponder(b, LeanProtocol.STATUS, Arrays.copyOf(one, one.length - 1), true);
    a.rr.request(1, b.id, LeanProtocol.STATUS, status(1));
    h.sched.runDue();
    assertThat(a.terminals(1).get(0).error().kind()).isEqualTo(RequestError.Kind.PROTOCOL_VIOLATION);
    h.rawResponder(b, LeanProtocol.STATUS, new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f}, true);
    a.rr.request(2, b.id, LeanProtocol.STATUS, status(1));
    h.sched.runDue();
    assertThat(a.terminals(2).get(0).error().kind()).isEqualTo(RequestError.Kind.PROTOCOL_VIOLATION);
  }

  @Test
  void concurrencyLimitRefusesUpFront() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    Node c = h.node(CFG);
    h.connect(a, b);
    h.connect(a, c);
    assertThat(a.rr.request(1, b.id, LeanProtocol.STATUS, status(1))).isEqualTo(RequestOutcome.ACCEPTED);
    assertThat(a.rr.request(1, c.id, LeanProtocol.STATUS, status(1))).isEqualTo(RequestOutcome.DUPLICATE_ID);
    assertThat(a.rr.request(2, b.id, LeanProtocol.STATUS, status(1))).isEqualTo(RequestOutcome.ACCEPTED);
    assertThat(a.rr.request(3, b.id, LeanProtocol.STATUS, status(1))).isEqualTo(RequestOutcome.TOO_MANY_CONCURRENT);
    assertThat(a.rr.request(4, c.id, LeanProtocol.STATUS, status(1))).isEqualTo(RequestOutcome.ACCEPTED);
    assertThat(a.rr.request(5, c.id, LeanProtocol.STATUS, new byte[79])).isEqualTo(RequestOutcome.INVALID);
    assertThat(a.rr.request(6, c.id, LeanProtocol.BLOCKS_BY_RANGE, range(0, 0))).isEqualTo(RequestOutcome.INVALID);
    assertThat(a.rr.request(7, c.id, LeanProtocol.BLOCKS_BY_RANGE, range(0, 1025))).isEqualTo(RequestOutcome.INVALID);
    assertThat(a.rr.request(8, c.id, LeanProtocol.BLOCKS_BY_ROOT, roots(1025))).isEqualTo(RequestOutcome.INVALID);
    assertThat(a.eventsOf(3)).isEmpty();
    var s = a.rr.snapshot();
    assertThat(s.requestsRefusedConcurrent()).isEqualTo(1);
    assertThat(s.requestsRefusedInvalid()).isEqualTo(4);
    assertThat(s.requestsInFlight()).isEqualTo(3);
    a.rr.close();
    for (long id : new long[] {1, 2, 4}) {
      assertThat(a.terminals(id)).hasSize(1);
      assertThat(a.terminals(id).get(0).error().kind()).isEqualTo(RequestError.Kind.CLOSED);
    }
    assertThat(a.rr.request(9, c.id, LeanProtocol.STATUS, status(1))).isEqualTo(RequestOutcome.CLOSED);
    h.sched.runDue();
    assertThat(a.eventsOf(1)).hasSize(1);
  }

  @Test
  void notConnectedAndDisconnectEndWithOneErrorEach() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    Node stranger = h.node(CFG);
    h.connect(a, b);
    assertThat(a.rr.request(1, stranger.id, LeanProtocol.STATUS, status(1))).isEqualTo(RequestOutcome.ACCEPTED);
    h.sched.runDue();
    assertThat(a.terminals(1).get(0).error().kind()).isEqualTo(RequestError.Kind.NOT_CONNECTED);
    long[] channel = {0};
    b.host = (self, ch, peer, p, ssz) -> channel[0] = ch;
    a.rr.request(2, b.id, LeanProtocol.STATUS, status(1));
    h.sched.runDue();
    a.rr.peerDisconnected(b.id);
    b.rr.peerDisconnected(a.id);
    assertThat(a.terminals(2).get(0).error().kind()).isEqualTo(RequestError.Kind.DISCONNECTED);
    assertThat(b.channelEvents).extracting(ReqRespHarness.Event::kind).contains("closed:peer disconnected");
    assertThat(b.rr.endResponse(channel[0])).isEqualTo(ChannelOutcome.CHANNEL_FINISHED);
    h.sched.advanceMillis(30_000);
    assertThat(a.eventsOf(2)).hasSize(1);
  }

  @Test
  void negotiationFailureIsReported() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    b.registry.unregister(LeanProtocol.STATUS.id());
    a.rr.request(1, b.id, LeanProtocol.STATUS, status(1));
    h.sched.runDue();
    assertThat(a.terminals(1)).hasSize(1);
    assertThat(a.terminals(1).get(0).error().kind()).isEqualTo(RequestError.Kind.NEGOTIATION_FAILED);
  }

  @Test
  void idleChannelExpiresWithServerErrorToTheRemote() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG.withRequestTimeout(Duration.ofSeconds(30)));
    Node b = h.node(CFG.withResponderIdleTimeout(Duration.ofSeconds(5)));
    h.connect(a, b);
    long[] channel = {0};
    b.host =
        (self, ch, peer, p, ssz) -> {
          channel[0] = ch;
          self.rr.sendChunk(ch, block(0, 50));
        };
    a.rr.request(1, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(0, 3));
    h.sched.runDue();
    h.sched.advanceMillis(5_000);
    assertThat(a.chunks(1)).hasSize(1);
    RequestError e = a.terminals(1).get(0).error();
    assertThat(e.kind()).isEqualTo(RequestError.Kind.WIRE_ERROR);
    assertThat(e.code()).isEqualTo(ResponseCode.SERVER_ERROR);
    assertThat(e.message()).isEqualTo(ReqResp.RESPONSE_TIMED_OUT);
    assertThat(b.channelEvents.get(1).kind()).startsWith("closed:expired");
    assertThat(b.rr.sendChunk(channel[0], block(1, 50))).isEqualTo(ChannelOutcome.CHANNEL_FINISHED);
    assertThat(b.rr.snapshot().channelsExpired()).isEqualTo(1);
    assertThat(b.rr.snapshot().channelCallsRejected()).isEqualTo(1);
  }

  @Test
  void tooManyChunksAndQueueFullAreRefusedToTheHost() {
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().window(1000));
    Node a = h.node(CFG);
    Node b = h.node(CFG.withMaxQueuedBytesPerChannel(2 * 2000));
    h.connect(a, b);
    List<ChannelOutcome> outcomes = new ArrayList<>();
    b.host =
        (self, ch, peer, p, ssz) -> {
          for (int i = 0; i < 6; i++) {
            outcomes.add(self.rr.sendChunk(ch, block(i, 2000)));
          }
        };
    a.rr.request(1, b.id, LeanProtocol.BLOCKS_BY_ROOT, roots(4));
    h.sched.runDue();
    // 1 written (then unwritable), 2 queued, then QUEUE_FULL
    assertThat(outcomes)
        .containsExactly(
            ChannelOutcome.OK, ChannelOutcome.OK, ChannelOutcome.OK,
            ChannelOutcome.QUEUE_FULL, ChannelOutcome.QUEUE_FULL, ChannelOutcome.QUEUE_FULL);
    long ch = b.channelEvents.get(0).id();
    h.sched.runDue();
    assertThat(b.rr.sendChunk(ch, block(3, 10))).isEqualTo(ChannelOutcome.OK);
    assertThat(b.rr.sendChunk(ch, block(4, 10))).isEqualTo(ChannelOutcome.TOO_MANY_CHUNKS);
    assertThat(b.rr.endResponse(ch)).isEqualTo(ChannelOutcome.OK);
    h.sched.runDue();
    assertThat(a.chunks(1)).hasSize(4);
    assertThat(a.terminals(1)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
  }

  /** varint(declared) || stream identifier || skippable chunk (0xfe) of {@code pad} bytes. */
  static byte[] paddedRequest(int declared, int pad) {
    byte[] ident = Hex.decode("ff060000734e61507059");
    byte[] out = new byte[1 + ident.length + 4 + pad];
    out[0] = (byte) declared;
    System.arraycopy(ident, 0, out, 1, ident.length);
    int h = 1 + ident.length;
    out[h] = (byte) 0xfe;
    out[h + 1] = (byte) pad;
    out[h + 2] = (byte) (pad >> 8);
    out[h + 3] = (byte) (pad >> 16);
    return out;
  }

  @Test
  void requestedBlocksAreRateLimitedPerPeer() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG.withMaxConcurrentPerPeer(8));
    Node b =
        h.node(CFG.withRateLimits(ReqRespConfig.RateLimit.unlimited(), new ReqRespConfig.RateLimit(100, 64)));
    h.connect(a, b);
    b.host = (self, ch, peer, p, ssz) -> self.rr.endResponse(ch);
    a.rr.request(1, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(0, 64));
    a.rr.request(2, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(64, 64));
    a.rr.request(3, b.id, LeanProtocol.BLOCKS_BY_ROOT, roots(64)); // its own bucket
    h.sched.runDue();
    assertThat(a.terminals(1)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    assertThat(a.terminals(2).get(0).error().code()).isEqualTo(ResponseCode.RESOURCE_UNAVAILABLE);
    assertThat(a.terminals(2).get(0).error().message()).isEqualTo(ReqResp.RATE_LIMITED);
    assertThat(a.terminals(3)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    h.sched.advanceMillis(1_000); // 36 + 64 tokens
    a.rr.request(4, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(64, 64));
    a.rr.request(5, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(128, 64));
    h.sched.runDue();
    assertThat(a.terminals(4)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    assertThat(a.terminals(5).get(0).error().message()).isEqualTo(ReqResp.RATE_LIMITED);
    assertThat(b.rr.snapshot().inboundRateLimited()).isEqualTo(2);
  }

  @Test
  void badInboundRequestsGetTheSpecMessagesOrSayWhatIsTooLarge() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG.withInboundLimits(32, 32));
    h.connect(a, b);
    record Case(LeanProtocol p, byte[] wire, String message) {}
    List<Case> cases =
        List.of(
            new Case(LeanProtocol.STATUS, SszSnappy.encodeRequest(new byte[79]), "Invalid Status message"),
            // longer than any Status: refused at the length prefix, same answer as the spec
            new Case(LeanProtocol.STATUS, SszSnappy.encodeRequest(new byte[81]), "Invalid Status message"),
            new Case(LeanProtocol.BLOCKS_BY_ROOT, SszSnappy.encodeRequest(new byte[] {5, 0, 0, 0}), "Invalid BlocksByRootRequest message"),
            new Case(LeanProtocol.BLOCKS_BY_RANGE, SszSnappy.encodeRequest(new byte[15]), "Invalid BlocksByRangeRequest message"),
            new Case(LeanProtocol.BLOCKS_BY_RANGE, SszSnappy.encodeRequest(range(1, 0)), "Invalid count"),
            new Case(LeanProtocol.BLOCKS_BY_RANGE, SszSnappy.encodeRequest(range(1, 1025)), "Invalid count"),
            // over the 10 MiB payload limit: says so (the spec answers "Empty request")
            new Case(LeanProtocol.STATUS, Hex.decode("81808005"),
                "Request too large: declares 10485761 bytes, the limit is 10485760 bytes"),
            new Case(LeanProtocol.BLOCKS_BY_ROOT, Hex.decode("8080808004"),
                "Request too large: declares 1073741824 bytes, the limit is 10485760 bytes"),
            new Case(LeanProtocol.STATUS, new byte[] {0x50, 0x01, 0x02}, "Empty request"),
            // declares 80 bytes, then pads with a skippable frame beyond 80 + 80/6 + 1024 framed bytes
            new Case(LeanProtocol.STATUS, paddedRequest(80, 2000), "Empty request"));
    List<ReqRespHarness.RawClient> clients = new ArrayList<>();
    for (Case c : cases) {
      clients.add(h.new RawClient(a, b, c.p(), c.wire(), true));
    }
    h.sched.runDue();
    for (int i = 0; i < cases.size(); i++) {
      var rc = clients.get(i);
      assertThat(rc.fin).as("case %d FIN", i).isTrue();
      assertThat(rc.received.toByteArray())
          .as("case %d: %s", i, cases.get(i).message())
          .isEqualTo(SszSnappy.encodeErrorChunk(ResponseCode.INVALID_REQUEST, cases.get(i).message()));
    }
    assertThat(b.channelEvents).isEmpty();
    assertThat(b.rr.snapshot().inboundInvalid()).isEqualTo(cases.size());
    assertThat(b.rr.snapshot().inboundActive()).isZero();
  }

  @Test
  @SuppressWarnings("unchecked")
  void fixtureRequestsReachTheHostWithoutFinAndServerErrorChunksMatchByteForByte() throws Exception {
    Path vectors = Fixtures.requireRoot().resolve("vectors.json");
    Assumptions.assumeTrue(Files.exists(vectors), "vectors.json absent: skipped");
    Map<String, Object> rr = Fixtures.get(Fixtures.readObject(vectors), "computed_extra", "reqresp");
    List<Map<String, Object>> requests = (List<Map<String, Object>>) rr.get("requests");
    List<Map<String, Object>> errors = (List<Map<String, Object>>) rr.get("server_error_chunks");
    assertThat(requests).isNotEmpty();
    assertThat(errors).isNotEmpty();

    var h = new ReqRespHarness(MemoryStreams.Options.defaults().fixedPieces(1));
    Node a = h.node(CFG);
    Node b = h.node(CFG.withInboundLimits(64, 64).withRateLimits(ReqRespConfig.RateLimit.unlimited(), ReqRespConfig.RateLimit.unlimited()));
    h.connect(a, b);
    // 1. fixture request wires, written WITHOUT FIN, reach the host with the fixture SSZ
    List<byte[]> seen = new ArrayList<>();
    b.host = (self, ch, peer, p, ssz) -> seen.add(ssz);
    for (var r : requests) {
      LeanProtocol p = LeanProtocol.fromId((String) r.get("protocol_id")).orElseThrow();
      h.new RawClient(a, b, p, Hex.decode(((String) r.get("request_wire")).substring(2)), false);
    }
    h.sched.runDue();
    assertThat(seen).hasSize(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      assertThat(Hex.encode(seen.get(i))).isEqualTo(((String) requests.get(i).get("ssz")).substring(2));
    }
    // 2. each server error chunk, produced through sendError, byte for byte on the wire
    List<long[]> channels = new ArrayList<>();
    b.host = (self, ch, peer, p, ssz) -> channels.add(new long[] {ch});
    List<ReqRespHarness.RawClient> clients = new ArrayList<>();
    for (int i = 0; i < errors.size(); i++) {
      clients.add(h.new RawClient(a, b, LeanProtocol.STATUS, SszSnappy.encodeRequest(status(i)), true));
    }
    h.sched.runDue();
    assertThat(channels).hasSize(errors.size());
    for (int i = 0; i < errors.size(); i++) {
      var e = errors.get(i);
      ResponseCode code = ResponseCode.fromWire(((Number) e.get("code")).intValue());
      assertThat(b.rr.sendError(channels.get(i)[0], code, fixtureMessage((String) e.get("message"))))
          .isEqualTo(ChannelOutcome.OK);
    }
    h.sched.runDue();
    int exact = 0;
    for (int i = 0; i < errors.size(); i++) {
      String expected = ((String) errors.get(i).get("chunk_wire")).substring(2);
      byte[] got = clients.get(i).received.toByteArray();
      assertThat(clients.get(i).fin).isTrue();
      // after code, varint, stream identifier: frame chunk type 01 = uncompressed (canonical)
      byte[] exp = Hex.decode(expected);
      int typeAt = 1 + varintSize(exp, 1) + 10;
      if (exp[typeAt] == 1) {
        assertThat(Hex.encode(got)).as("server error chunk %s", errors.get(i).get("message")).isEqualTo(expected);
        exact++;
      } else { // compressed by the spec's encoder: compression is not canonical, compare decoded
        assertThat(decodeSingle(got)).isEqualTo(decodeSingle(exp));
      }
    }
    assertThat(exact).isGreaterThanOrEqualTo(errors.size() - 1);
  }

  /** Expands the fixture's {@code 'x' * 300} notation. */
  static String fixtureMessage(String m) {
    var matcher = java.util.regex.Pattern.compile("'(.)' \\* (\\d+)").matcher(m);
    return matcher.matches() ? matcher.group(1).repeat(Integer.parseInt(matcher.group(2))) : m;
  }

  static int varintSize(byte[] b, int off) {
    int n = 1;
    while ((b[off + n - 1] & 0x80) != 0) {
      n++;
    }
    return n;
  }

  static io.leanp2p.codec.sszsnappy.ResponseChunk decodeSingle(byte[] wire) throws Exception {
    var d = new io.leanp2p.codec.sszsnappy.ResponseDecoder(SszSnappy.MAX_PAYLOAD);
    List<io.leanp2p.codec.sszsnappy.ResponseChunk> out = new ArrayList<>();
    d.decode(io.netty.buffer.Unpooled.wrappedBuffer(wire), out::add);
    assertThat(out).hasSize(1);
    assertThat(d.atBoundary()).isTrue();
    return out.get(0);
  }

  @Test
  void inboundFloodIsLimitedAndCountedWhileOtherPeersAreServed() {
    var h = new ReqRespHarness();
    ReqRespConfig bcfg =
        CFG.withInboundLimits(4, 16)
            .withRateLimits(new ReqRespConfig.RateLimit(10, 1), new ReqRespConfig.RateLimit(2048, 256));
    Node flooder = h.node(CFG.withMaxConcurrentPerPeer(1000));
    Node b = h.node(bcfg);
    Node good = h.node(CFG);
    h.connect(flooder, b);
    h.connect(good, b);
    // b answers status at once, and holds range requests (so they stay active)
    b.host =
        (self, ch, peer, p, ssz) -> {
          if (p == LeanProtocol.STATUS) {
            self.rr.sendChunk(ch, status(42));
            self.rr.endResponse(ch);
          }
        };
    for (int i = 0; i < 100; i++) {
      flooder.rr.request(i, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(i, 1));
    }
    h.sched.runDue();
    var s = b.rr.snapshot();
    assertThat(s.inboundActive()).isEqualTo(4);
    assertThat(s.inboundRefusedConcurrent()).isEqualTo(96);
    int reset = 0;
    for (int i = 0; i < 100; i++) {
      var t = flooder.terminals(i);
      if (!t.isEmpty()) {
        assertThat(t).hasSize(1);
        assertThat(t.get(0).error().kind()).isEqualTo(RequestError.Kind.WIRE_ERROR);
        assertThat(t.get(0).error().code()).isEqualTo(ResponseCode.RESOURCE_UNAVAILABLE);
        assertThat(t.get(0).error().message()).isEqualTo(ReqResp.TOO_MANY_REQUESTS);
        reset++;
      }
    }
    assertThat(reset).isEqualTo(96);
    // the good peer still gets its answer
    good.rr.request(1, b.id, LeanProtocol.STATUS, status(1));
    h.sched.runDue();
    assertThat(good.chunks(1)).hasSize(1);
    assertThat(good.terminals(1)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    // rate limit: the flooder's status requests beyond 10 tokens get RESOURCE_UNAVAILABLE
    for (int i = 0; i < 4; i++) { // free the flooder's slots
      b.rr.endResponse(b.channelEvents.get(i).id());
    }
    h.sched.runDue();
    int ok = 0;
    int limited = 0;
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 4; i++) {
        long id = 1000 + round * 4 + i;
        flooder.rr.request(id, b.id, LeanProtocol.STATUS, status(1));
      }
      h.sched.runDue();
      for (int i = 0; i < 4; i++) {
        var t = flooder.terminals(1000 + round * 4 + i);
        assertThat(t).hasSize(1);
        if (t.get(0).kind().equals("eos")) {
          ok++;
        } else {
          assertThat(t.get(0).error().code()).isEqualTo(ResponseCode.RESOURCE_UNAVAILABLE);
          assertThat(t.get(0).error().message()).isEqualTo(ReqResp.RATE_LIMITED);
          limited++;
        }
      }
    }
    assertThat(ok).isEqualTo(10); // buckets are per protocol: the range requests used their own
    assertThat(limited).isEqualTo(10);
    assertThat(b.rr.snapshot().inboundRateLimited()).isEqualTo(10);
    h.sched.advanceMillis(1_000);
    flooder.rr.request(5000, b.id, LeanProtocol.STATUS, status(1));
    h.sched.runDue();
    assertThat(flooder.terminals(5000)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
  }

  @Test
  void manyConcurrentRequestsEachEndWithExactlyOneTerminalEvent() {
    long seed = Long.getLong("reqresp.seed", System.nanoTime());
    System.out.println("manyConcurrentRequests seed=" + seed);
    Random rnd = new Random(seed);
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().randomPieces(seed, 200).window(4096));
    ReqRespConfig cfg =
        CFG.withMaxConcurrentPerPeer(100)
            .withInboundLimits(60, 100)
            .withResponderIdleTimeout(Duration.ofSeconds(4))
            .withRateLimits(ReqRespConfig.RateLimit.unlimited(), ReqRespConfig.RateLimit.unlimited());
    Node a = h.node(cfg);
    Node b = h.node(cfg);
    h.connect(a, b);
    List<Long> held = new ArrayList<>();
    b.host =
        (self, ch, peer, p, ssz) -> {
          int n = (int) rangeCount(ssz);
          switch (rnd.nextInt(6)) {
            case 0 -> {
              for (int i = 0; i < n; i++) {
                self.rr.sendChunk(ch, block(i, 300));
              }
              self.rr.endResponse(ch);
            }
            case 1 -> self.rr.sendError(ch, ResponseCode.RESOURCE_UNAVAILABLE, "busy");
            case 2 -> {} // never answers: expires at b (4 s) before a's 10 s timeout
            case 3 -> held.add(ch); // answered later, maybe after a gave up
            case 4 -> {
              self.rr.sendChunk(ch, block(0, 300));
              held.add(ch);
            }
            default -> {
              for (int i = 0; i < n; i++) {
                self.rr.sendChunk(ch, block(i, 5000));
              }
              self.rr.endResponse(ch);
            }
          }
        };
    int total = 200;
    List<Long> accepted = new ArrayList<>();
    for (int i = 1; i <= total; i++) {
      if (a.rr.request(i, b.id, LeanProtocol.BLOCKS_BY_RANGE, range(0, 1 + rnd.nextInt(5)))
          == RequestOutcome.ACCEPTED) {
        accepted.add((long) i);
      }
      if (rnd.nextInt(10) == 0) {
        h.sched.advanceMillis(rnd.nextInt(500));
        if (!held.isEmpty()) {
          long ch = held.remove(rnd.nextInt(held.size()));
          b.rr.endResponse(ch);
        }
      }
    }
    h.sched.advanceMillis(60_000);
    assertThat(accepted.size()).isGreaterThan(50);
    for (long id : accepted) {
      var ev = a.eventsOf(id);
      var t = a.terminals(id);
      assertThat(t).as("request %d (seed %d)", id, seed).hasSize(1);
      assertThat(ev.get(ev.size() - 1)).as("terminal is last").isSameAs(t.get(0));
    }
    assertThat(a.rr.snapshot().requestsInFlight()).isZero();
    assertThat(b.rr.snapshot().inboundActive()).isZero();
    var s = a.rr.snapshot();
    assertThat(s.requestsEnded() + s.requestsFailed()).isEqualTo(accepted.size());
  }

  @Test
  void eachChunkIsHandedUpAtOnceAndListenerExceptionsAreIsolated() {
    var h = new ReqRespHarness(MemoryStreams.Options.defaults().fixedPieces(2));
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    long[] channel = {0};
    b.host = (self, ch, peer, p, ssz) -> channel[0] = ch;
    int[] seen = {0};
    a.onChunk =
        (id, ssz) -> {
          seen[0]++;
          throw new IllegalStateException("host bug");
        };
    a.rr.request(1, b.id, LeanProtocol.BLOCKS_BY_ROOT, roots(3));
    h.sched.runDue();
    b.rr.sendChunk(channel[0], block(1, 500));
    h.sched.runDue();
    assertThat(seen[0]).isEqualTo(1); // before the response ended
    assertThat(a.terminals(1)).isEmpty();
    b.rr.sendChunk(channel[0], block(2, 500));
    h.sched.runDue();
    assertThat(seen[0]).isEqualTo(2);
    b.rr.endResponse(channel[0]);
    h.sched.runDue();
    assertThat(a.terminals(1)).extracting(ReqRespHarness.Event::kind).containsExactly("eos");
    // a host that throws on an inbound request: the remote gets SERVER_ERROR "Internal error"
    b.host =
        (self, ch, peer, p, ssz) -> {
          throw new IllegalStateException("host bug");
        };
    a.rr.request(2, b.id, LeanProtocol.STATUS, status(1));
    h.sched.runDue();
    assertThat(a.terminals(2).get(0).error().code()).isEqualTo(ResponseCode.SERVER_ERROR);
    assertThat(a.terminals(2).get(0).error().message()).isEqualTo("Internal error");
  }

  @Test
  void anIncompleteRequestIsResetAfterTheIdleTimeout() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG.withResponderIdleTimeout(Duration.ofSeconds(3)));
    h.connect(a, b);
    byte[] wire = SszSnappy.encodeRequest(status(1));
    var c = h.new RawClient(a, b, LeanProtocol.STATUS, Arrays.copyOf(wire, wire.length - 5), false);
    h.sched.runDue();
    assertThat(b.rr.snapshot().inboundActive()).isEqualTo(1);
    h.sched.advanceMillis(2_999);
    assertThat(c.reset).isFalse();
    h.sched.advanceMillis(1);
    assertThat(c.reset).isTrue();
    assertThat(b.rr.snapshot().inboundReadTimeouts()).isEqualTo(1);
    assertThat(b.rr.snapshot().inboundActive()).isZero();
    assertThat(b.channelEvents).isEmpty();
  }

  @Test
  void closeResetsInboundChannels() {
    var h = new ReqRespHarness();
    Node a = h.node(CFG);
    Node b = h.node(CFG);
    h.connect(a, b);
    a.rr.request(1, b.id, LeanProtocol.STATUS, status(1));
    h.sched.runDue();
    long ch = b.channelEvents.get(0).id();
    b.rr.close();
    b.rr.close();
    assertThat(b.channelEvents.get(1).kind()).isEqualTo("closed:" + ReqResp.SHUTTING_DOWN);
    assertThat(b.rr.sendChunk(ch, status(2))).isEqualTo(ChannelOutcome.CLOSED);
    h.sched.runDue();
    assertThat(a.terminals(1).get(0).error().kind()).isEqualTo(RequestError.Kind.STREAM_RESET);
    assertThat(b.rr.snapshot().inboundActive()).isZero();
  }
}
