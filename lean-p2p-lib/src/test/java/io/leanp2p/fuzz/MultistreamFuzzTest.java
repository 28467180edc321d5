package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.transport.multistream.ChannelNegotiationHandler;
import io.leanp2p.transport.multistream.MultistreamFuzzAccess;
import io.leanp2p.transport.multistream.NegotiationFailure;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Set;

/**
 * multistream-select 1.0 as the connection upgrade runs it, listener and dialer side, fed what a
 * remote sends in arbitrary pieces: exactly one outcome, a bounded number of answers, nothing
 * thrown into the pipeline, every buffer released.
 */
class MultistreamFuzzTest {
  /** Header + echo + at most 16 refused proposals + the selection echo. */
  private static final int MAX_ANSWERS = 20;

  @FuzzTest
  void listener(byte[] in) {
    run(in, false);
  }

  @FuzzTest
  void dialer(byte[] in) {
    run(in, true);
  }

  /** The answer to {@code ls}: every entry a message of its own. */
  @FuzzTest
  void lsAnswer(byte[] in) {
    try {
      List<String> protocols = MultistreamFuzzAccess.decodeList(in);
      for (String p : protocols) {
        assertThat(p).isNotNull();
      }
    } catch (DecodeException e) {
      // rejected
    }
  }

  private static void run(byte[] in, boolean dialer) {
    Outcome outcome = new Outcome();
    ChannelNegotiationHandler h = dialer
        ? ChannelNegotiationHandler.dialer(List.of("/noise", "/yamux/1.0.0"), outcome)
        : ChannelNegotiationHandler.listener(Set.of("/noise", "/yamux/1.0.0"), outcome);
    EmbeddedChannel ch = new EmbeddedChannel(h);
    List<ByteBuf> bufs = FuzzSupport.buffers(in, 29);
    int answers = 0;
    for (ByteBuf b : bufs) {
      if (!ch.isOpen()) {
        b.release(); // the connection is gone: nothing more arrives
        continue;
      }
      ch.writeInbound(b);
      answers += drain(ch);
      ch.checkException();
    }
    ch.close();
    answers += drain(ch);
    ch.checkException();
    ch.finishAndReleaseAll();
    FuzzSupport.assertReleased(bufs, "negotiation");
    assertThat(outcome.calls).as("negotiation outcomes").isEqualTo(1);
    assertThat(answers).isLessThanOrEqualTo(MAX_ANSWERS);
  }

  private static int drain(EmbeddedChannel ch) {
    int n = 0;
    Object o;
    while ((o = ch.readOutbound()) != null) {
      ((ByteBuf) o).release();
      n++;
    }
    Object i;
    while ((i = ch.readInbound()) != null) {
      throw new AssertionError("negotiation passed a message on: " + i);
    }
    return n;
  }

  private static final class Outcome implements ChannelNegotiationHandler.Callback {
    int calls;

    @Override
    public void selected(ChannelHandlerContext ctx, String protocol, ByteBuf leftover) {
      calls++;
      assertThat(Set.of("/noise", "/yamux/1.0.0")).contains(protocol);
      leftover.release();
    }

    @Override
    public void failed(ChannelHandlerContext ctx, NegotiationFailure failure, String detail) {
      calls++;
      assertThat(detail).isNotNull();
      ctx.close();
    }
  }
}
