package io.leanp2p.transport.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The responder side of multistream-select 1.0: it waits for the header, echoes it, then answers
 * each proposal with an echo (selected) or {@code na}, and {@code ls} with its protocol list. At
 * most {@link #MAX_ATTEMPTS} unsupported proposals are answered.
 */
final class MultistreamListener extends MultistreamNegotiation {
  /** Unsupported proposals (and {@code ls} requests) tolerated before giving up. */
  static final int MAX_ATTEMPTS = 16;

  private final Predicate<String> supports;
  private final Supplier<List<String>> protocols;
  private boolean headerSeen;
  private int attempts;

  MultistreamListener(
      Predicate<String> supports,
      Supplier<List<String>> protocols,
      ByteBufAllocator alloc,
      Consumer<ByteBuf> out,
      Outcome outcome) {
    super(alloc, out, outcome);
    this.supports = supports;
    this.protocols = protocols;
  }

  @Override
  protected void onMessage(byte[] msg) {
    String t = text(msg);
    if (!headerSeen) {
      if (!Multistream.PROTOCOL_ID.equals(t)) {
        fail(NegotiationFailure.BAD_HEADER, "got '" + MultistreamDialer.printable(t) + "'");
        return;
      }
      headerSeen = true;
      send(Multistream.encode(alloc, Multistream.PROTOCOL_ID));
      return;
    }
    if (supports.test(t)) {
      send(Multistream.encode(alloc, t));
      succeed(t);
      return;
    }
    if (++attempts > MAX_ATTEMPTS) {
      fail(NegotiationFailure.TOO_MANY_ATTEMPTS, attempts + " proposals");
      return;
    }
    if (Multistream.LS.equals(t)) {
      ByteBuf b = alloc.buffer();
      Multistream.writeRaw(Multistream.encodeList(protocols.get()), b);
      send(b);
    } else {
      send(Multistream.encode(alloc, Multistream.NA));
    }
  }
}
