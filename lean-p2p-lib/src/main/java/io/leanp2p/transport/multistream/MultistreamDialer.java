package io.leanp2p.transport.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The initiator side of multistream-select 1.0, lazy and optimistic: it sends the header and the
 * first proposal in one write without waiting for the header echo, then proposes the next protocol
 * after each {@code na}. With an empty protocol list it sends {@code ls} instead and reports the
 * listed protocols through {@link ListOutcome}.
 */
final class MultistreamDialer extends MultistreamNegotiation {
  /** Receives the answer to {@code ls}. */
  interface ListOutcome {
    void listed(List<String> protocols);
  }

  private final List<String> protocols;
  private final ListOutcome listOutcome;
  private boolean headerSeen;
  private boolean started;
  private int next;

  MultistreamDialer(
      List<String> protocols, ByteBufAllocator alloc, Consumer<ByteBuf> out, Outcome outcome) {
    this(protocols, null, alloc, out, outcome);
  }

  MultistreamDialer(
      List<String> protocols,
      ListOutcome listOutcome,
      ByteBufAllocator alloc,
      Consumer<ByteBuf> out,
      Outcome outcome) {
    super(alloc, out, outcome);
    if (protocols.isEmpty() && listOutcome == null) {
      throw new IllegalArgumentException("no protocol to propose");
    }
    for (String p : protocols) {
      if (p.isEmpty() || p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 > Multistream.MAX_MESSAGE) {
        throw new IllegalArgumentException("bad protocol id: " + p);
      }
    }
    this.protocols = List.copyOf(protocols);
    this.listOutcome = listOutcome;
  }

  /** Sends the header and the first proposal (or {@code ls}). */
  void start() {
    if (started) {
      return;
    }
    started = true;
    ByteBuf b = alloc.buffer();
    Multistream.write(Multistream.PROTOCOL_ID, b);
    Multistream.write(listOutcome != null ? Multistream.LS : protocols.get(0), b);
    send(b);
  }

  @Override
  protected void onMessage(byte[] msg) {
    if (!headerSeen) {
      String t = text(msg);
      if (!Multistream.PROTOCOL_ID.equals(t)) {
        fail(NegotiationFailure.BAD_HEADER, "got '" + printable(t) + "'");
        return;
      }
      headerSeen = true;
      return;
    }
    if (listOutcome != null) {
      try {
        List<String> listed = Multistream.decodeList(msg);
        finishQuietly();
        listOutcome.listed(listed);
      } catch (io.leanp2p.util.DecodeException e) {
        fail(NegotiationFailure.MALFORMED, "ls answer: " + e.getMessage());
      }
      return;
    }
    String t = text(msg);
    String proposed = protocols.get(next);
    if (t.equals(proposed)) {
      succeed(proposed);
    } else if (Multistream.NA.equals(t)) {
      next++;
      if (next >= protocols.size()) {
        fail(NegotiationFailure.NOT_SUPPORTED, "remote supports none of " + protocols);
        return;
      }
      ByteBuf b = alloc.buffer();
      Multistream.write(protocols.get(next), b);
      send(b);
    } else {
      fail(NegotiationFailure.UNEXPECTED, "proposed " + proposed + ", got '" + printable(t) + "'");
    }
  }

  static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    return cut.replaceAll("[^\\x20-\\x7e…]", "?");
  }
}
