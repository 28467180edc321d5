package io.leanp2p.transport.multistream;

import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Transport-agnostic core shared by {@link MultistreamDialer} and {@link MultistreamListener}: it
 * accumulates inbound bytes, splits them into messages, and on success hands every byte that
 * followed the final message to the selected protocol. Single-threaded; not reusable.
 */
abstract sealed class MultistreamNegotiation permits MultistreamDialer, MultistreamListener {
  /** Result sink of one negotiation; exactly one method is called, once. */
  interface Outcome {
    /** {@code leftover} is owned by the callee (maybe empty). */
    void selected(String protocol, ByteBuf leftover);

    void failed(NegotiationFailure failure, String detail);
  }

  protected final ByteBufAllocator alloc;
  private final Consumer<ByteBuf> out;
  private final Outcome outcome;
  private ByteBuf cumulation;
  private boolean done;

  MultistreamNegotiation(ByteBufAllocator alloc, Consumer<ByteBuf> out, Outcome outcome) {
    this.alloc = alloc;
    this.out = out;
    this.outcome = outcome;
  }

  boolean isDone() {
    return done;
  }

  /** Feeds bytes from the remote; takes ownership of {@code data}. */
  final void onData(ByteBuf data) {
    if (done) {
      data.release();
      return;
    }
    if (cumulation == null) {
      cumulation = data;
    } else {
      cumulation = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(alloc, cumulation, data);
    }
    try {
      while (!done) {
        byte[] msg = MultistreamLineDecoder.next(cumulation);
        if (msg == null) {
          break;
        }
        onMessage(msg);
      }
    } catch (DecodeException e) {
      fail(
          e.reason() == DecodeException.Reason.TOO_LARGE
              ? NegotiationFailure.TOO_LARGE
              : NegotiationFailure.MALFORMED,
          e.getMessage());
    }
  }

  /** Ends the negotiation from outside (timeout, stream closed); no-op once done. */
  final void abort(NegotiationFailure failure, String detail) {
    fail(failure, detail);
  }

  protected abstract void onMessage(byte[] msg);

  protected static String text(byte[] msg) {
    return new String(msg, StandardCharsets.UTF_8);
  }

  protected final void send(ByteBuf buf) {
    out.accept(buf);
  }

  protected final void succeed(String protocol) {
    if (done) {
      return;
    }
    done = true;
    ByteBuf leftover;
    if (cumulation == null) {
      leftover = Unpooled.EMPTY_BUFFER;
    } else if (cumulation.isReadable()) {
      leftover = cumulation;
    } else {
      cumulation.release();
      leftover = Unpooled.EMPTY_BUFFER;
    }
    cumulation = null;
    outcome.selected(protocol, leftover);
  }

  /** Ends without reporting through {@link Outcome} (the subclass reports itself). */
  protected final void finishQuietly() {
    done = true;
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }

  protected final void fail(NegotiationFailure failure, String detail) {
    if (done) {
      return;
    }
    done = true;
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
    outcome.failed(failure, detail);
  }
}
