package io.leanp2p.codec.gossip;

import java.util.List;

/**
 * The control part of an RPC. A control message without entries is not encoded at all (leanSpec
 * rule), so decoding {@code 1a 00} and re-encoding gives nothing.
 */
public record ControlMessage(
    List<ControlIHave> ihave,
    List<ControlIWant> iwant,
    List<ControlGraft> graft,
    List<ControlPrune> prune,
    List<ControlIDontWant> idontwant) {

  /** The control message with no entries. */
  public static final ControlMessage EMPTY =
      new ControlMessage(List.of(), List.of(), List.of(), List.of(), List.of());

  public ControlMessage {
    ihave = List.copyOf(ihave);
    iwant = List.copyOf(iwant);
    graft = List.copyOf(graft);
    prune = List.copyOf(prune);
    idontwant = List.copyOf(idontwant);
  }

  public boolean isEmpty() {
    return ihave.isEmpty() && iwant.isEmpty() && graft.isEmpty() && prune.isEmpty() && idontwant.isEmpty();
  }
}
