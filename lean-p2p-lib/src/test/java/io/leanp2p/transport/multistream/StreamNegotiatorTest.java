package io.leanp2p.transport.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.testing.Splits;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.transport.MemoryStreams;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.util.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamNegotiatorTest {
  private final VirtualScheduler sched = new VirtualScheduler();

  /** Collects bytes a stream end receives. */
  static final class Collect implements StreamHandler {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean reset;

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      try {
        bytes.writeBytes(ByteBufUtil.getBytes(data));
      } finally {
        data.release();
      }
    }

    @Override
    public void onReset(MuxedStream stream, String reason) {
      reset = true;
    }
  }

  /** Records a dialer outcome; the leftover is copied and released. */
  static final class Result implements StreamNegotiator.SelectCallback {
    String protocol;
    byte[] leftover;
    String failure;
    int calls;
    final Collect after = new Collect();

    @Override
    public void selected(MuxedStream s, String p, ByteBuf left) {
      calls++;
      protocol = p;
      leftover = ByteBufUtil.getBytes(left);
      left.release();
      s.handler(after);
    }

    @Override
    public void failed(MuxedStream s, String reason) {
      calls++;
      failure = reason;
    }
  }

  static byte[] msgs(String... texts) {
    ByteBuf b = Multistream.encode(Unpooled.buffer().alloc(), texts);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  @Test
  void wireBytesMatchLeanSpecVectors() {
    assertThat(Hex.encode(msgs("/multistream/1.0.0")))
        .isEqualTo("132f6d756c746973747265616d2f312e302e300a");
    assertThat(Hex.encode(msgs("/meshsub/1.2.0"))).isEqualTo("0f2f6d6573687375622f312e322e300a");
    assertThat(Hex.encode(msgs("na"))).isEqualTo("036e610a");
  }

  @Test
  void dialerAndListenerAgreeAndApplicationBytesFollow() {
    MemoryStreams p = MemoryStreams.pair();
    ProtocolRegistry reg = new ProtocolRegistry();
    List<String> got = new ArrayList<>();
    reg.register(
        "/echo/1.0.0",
        (s, left) -> {
          left.release();
          s.handler(
              new StreamHandler() {
                @Override
                public void onData(MuxedStream st, ByteBuf data) {
                  got.add(data.toString(StandardCharsets.UTF_8));
                  st.write(data);
                }
              });
        });
    StreamNegotiator.listen(p.b, reg, sched, 1000);
    Result r = new Result();
    StreamNegotiator.select(p.a, List.of("/nope/1", "/echo/1.0.0"), sched, 1000, r);
    p.pump();
    assertThat(r.failure).isNull();
    assertThat(r.protocol).isEqualTo("/echo/1.0.0");
    assertThat(r.leftover).isEmpty();
    p.a.write(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
    assertThat(got).containsExactly("hello");
    assertThat(reg.stats().negotiated()).isEqualTo(1);
    sched.advanceMillis(5000); // the timer was cancelled: nothing happens
    assertThat(r.calls).isEqualTo(1);
    assertThat(p.a.resetCalled).isFalse();
  }

  @Test
  void listenerHandsBytesArrivingWithTheProposalToTheProtocol_underEverySplit() {
    byte[] app = "APPDATA-after-proposal".getBytes(StandardCharsets.UTF_8);
    byte[] input = concat(msgs("/multistream/1.0.0", "/x/1"), app);
    for (Splits.Split split : Splits.of(input)) {
      MemoryStreams p = MemoryStreams.pair();
      Collect back = new Collect();
      p.a.handler(back);
      ProtocolRegistry reg = new ProtocolRegistry();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      reg.register(
          "/x/1",
          (s, left) -> {
            seen.writeBytes(ByteBufUtil.getBytes(left));
            left.release();
            s.handler(
                new StreamHandler() {
                  @Override
                  public void onData(MuxedStream st, ByteBuf data) {
                    seen.writeBytes(ByteBufUtil.getBytes(data));
                    data.release();
                  }
                });
          });
      StreamNegotiator.listen(p.b, reg, sched, 1000);
      for (byte[] piece : split.pieces()) {
        p.b.inject(Unpooled.wrappedBuffer(piece));
      }
      assertThat(seen.toByteArray()).as(split.name()).isEqualTo(app);
      assertThat(back.bytes.toByteArray())
          .as(split.name())
          .isEqualTo(msgs("/multistream/1.0.0", "/x/1"));
    }
  }

  @Test
  void dialerHandsBytesArrivingWithTheAcceptanceToTheProtocol_underEverySplit() {
    byte[] app = "response-bytes".getBytes(StandardCharsets.UTF_8);
    byte[] input = concat(msgs("/multistream/1.0.0", "na", "/b/1"), app);
    for (Splits.Split split : Splits.of(input)) {
      MemoryStreams p = MemoryStreams.pair();
      Collect sent = new Collect();
      p.b.handler(sent);
      Result r = new Result();
      StreamNegotiator.select(p.a, List.of("/a/1", "/b/1"), sched, 1000, r);
      for (byte[] piece : split.pieces()) {
        p.a.inject(Unpooled.wrappedBuffer(piece));
      }
      assertThat(r.failure).as(split.name()).isNull();
      assertThat(r.protocol).isEqualTo("/b/1");
      // leftover plus what the protocol handler got afterwards is exactly the app bytes
      assertThat(concat(r.leftover, r.after.bytes.toByteArray())).as(split.name()).isEqualTo(app);
      assertThat(sent.bytes.toByteArray())
          .isEqualTo(concat(msgs("/multistream/1.0.0", "/a/1"), msgs("/b/1")));
    }
  }

  @Test
  void wholeReplyInOneReadGivesAllAppBytesAsLeftover() {
    byte[] app = new byte[] {1, 2, 3, 0, (byte) 0xff};
    MemoryStreams p = MemoryStreams.pair();
    p.b.handler(new Collect());
    Result r = new Result();
    StreamNegotiator.select(p.a, List.of("/a/1"), sched, 1000, r);
    p.a.inject(Unpooled.wrappedBuffer(concat(msgs("/multistream/1.0.0", "/a/1"), app)));
    assertThat(r.protocol).isEqualTo("/a/1");
    assertThat(r.leftover).isEqualTo(app);
  }

  @Test
  void allProposalsRefusedFailsNotSupported() {
    MemoryStreams p = MemoryStreams.pair();
    ProtocolRegistry reg = new ProtocolRegistry();
    reg.register("/other/1", (s, l) -> l.release());
    StreamNegotiator.listen(p.b, reg, sched, 1000);
    Result r = new Result();
    StreamNegotiator.select(p.a, List.of("/a/1", "/a/2"), sched, 1000, r);
    p.pump();
    assertThat(r.failure).startsWith("NOT_SUPPORTED");
    assertThat(p.a.resetCalled).isTrue();
    assertThat(reg.stats().failures(NegotiationFailure.CLOSED)).isEqualTo(1);
  }

  @Test
  void lsListsRegisteredProtocols() {
    MemoryStreams p = MemoryStreams.pair();
    ProtocolRegistry reg = new ProtocolRegistry();
    reg.register("/ipfs/id/1.0.0", (s, l) -> l.release());
    reg.register("/ipfs/ping/1.0.0", (s, l) -> l.release());
    StreamNegotiator.listen(p.b, reg, sched, 1000);
    List<String> listed = new ArrayList<>();
    StreamNegotiator.list(
        p.a,
        sched,
        1000,
        new StreamNegotiator.ListCallback() {
          @Override
          public void listed(MuxedStream s, List<String> protocols) {
            listed.addAll(protocols);
          }

          @Override
          public void failed(MuxedStream s, String reason) {
            listed.add("FAILED " + reason);
          }
        });
    p.pump();
    assertThat(listed).containsExactly("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0");
  }

  @Test
  void silentListenerTimesOut() {
    MemoryStreams p = MemoryStreams.pair();
    p.b.handler(new Collect());
    Result r = new Result();
    StreamNegotiator.select(p.a, List.of("/a/1"), sched, 1000, r);
    sched.advanceMillis(999);
    assertThat(r.calls).isZero();
    sched.advanceMillis(1);
    assertThat(r.failure).startsWith("TIMEOUT");
    assertThat(p.a.resetCalled).isTrue();
  }

  @Test
  void listenerTimesOutAndCounts() {
    MemoryStreams p = MemoryStreams.pair();
    ProtocolRegistry reg = new ProtocolRegistry();
    StreamNegotiator.listen(p.b, reg, sched, 500);
    p.b.inject(Unpooled.wrappedBuffer(msgs("/multistream/1.0.0")));
    p.b.inject(Unpooled.wrappedBuffer(new byte[] {5, 'a'})); // half a proposal, then silence
    sched.advanceMillis(500);
    assertThat(reg.stats().failures(NegotiationFailure.TIMEOUT)).isEqualTo(1);
    assertThat(p.b.resetCalled).isTrue();
  }

  /** Bad inputs and the failure each must produce, fed to the listener under every split. */
  @Test
  void badInputToListenerIsRejectedWithTypedReason_underEverySplit() {
    byte[] over = new byte[] {(byte) 0x81, 0x08}; // declares 1025
    record Case(String name, byte[] input, NegotiationFailure expect) {}
    byte[] noNewline = new byte[] {4, 'a', 'b', 'c', 'd'};
    List<Case> cases =
        List.of(
            new Case("oversized", concat(msgs("/multistream/1.0.0"), over, new byte[50]), NegotiationFailure.TOO_LARGE),
            new Case("oversized header", concat(over, new byte[20]), NegotiationFailure.TOO_LARGE),
            new Case("no newline", concat(msgs("/multistream/1.0.0"), noNewline), NegotiationFailure.MALFORMED),
            new Case("empty", new byte[] {0}, NegotiationFailure.MALFORMED),
            new Case("overlong varint", new byte[] {(byte) 0x80, (byte) 0x80, 0}, NegotiationFailure.MALFORMED),
            new Case("bad header", msgs("/multistream/2.0.0"), NegotiationFailure.BAD_HEADER),
            new Case("reordered", msgs("/x/1", "/multistream/1.0.0"), NegotiationFailure.BAD_HEADER),
            new Case("garbage that stalls", "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII), NegotiationFailure.TIMEOUT),
            new Case("garbage", new byte[] {5, 'G', 'E', 'T', ' ', '/', 3, 'x'}, NegotiationFailure.MALFORMED),
            new Case(
                "too many",
                concat(
                    msgs("/multistream/1.0.0"),
                    concat(java.util.Collections.nCopies(17, msgs("/no")).toArray(new byte[0][]))),
                NegotiationFailure.TOO_MANY_ATTEMPTS));
    for (Case c : cases) {
      for (Splits.Split split : Splits.of(c.input(), 64, 5)) {
        MemoryStreams p = MemoryStreams.pair();
        p.a.handler(new Collect());
        ProtocolRegistry reg = new ProtocolRegistry();
        reg.register("/x/1", (s, l) -> l.release());
        StreamNegotiator.listen(p.b, reg, sched, 1000);
        for (byte[] piece : split.pieces()) {
          p.b.inject(Unpooled.wrappedBuffer(piece));
        }
        sched.advanceMillis(1000);
        String what = c.name() + " " + split.name();
        assertThat(reg.stats().failures(c.expect())).as(what + " " + reg.stats()).isEqualTo(1);
        assertThat(reg.stats().negotiated()).as(what).isZero();
        assertThat(p.b.resetCalled).as(what).isTrue();
      }
    }
  }

  @Test
  void badAnswersToDialerAreRejected_underEverySplit() {
    record Case(String name, byte[] input, String expect) {}
    List<Case> cases =
        List.of(
            new Case("wrong echo", msgs("/multistream/1.0.0", "/zzz/1"), "UNEXPECTED"),
            new Case("missing header", msgs("/a/1"), "BAD_HEADER"),
            new Case("oversized", concat(msgs("/multistream/1.0.0"), new byte[] {(byte) 0xff, 0x7f}), "TOO_LARGE"),
            new Case("truncated then fin", msgs("/multistream/1.0.0"), "CLOSED"));
    for (Case c : cases) {
      for (Splits.Split split : Splits.of(c.input(), 64, 5)) {
        MemoryStreams p = MemoryStreams.pair();
        p.b.handler(new Collect());
        Result r = new Result();
        StreamNegotiator.select(p.a, List.of("/a/1"), sched, 1000, r);
        for (byte[] piece : split.pieces()) {
          p.a.inject(Unpooled.wrappedBuffer(piece));
        }
        p.b.closeWrite();
        assertThat(r.failure).as(c.name() + " " + split.name()).startsWith(c.expect());
        assertThat(r.calls).isEqualTo(1);
      }
    }
  }
}
