package io.leanp2p.codec.gossip;

import java.util.List;

/**
 * One gossipsub RPC: subscription changes, published messages and an optional control part
 * ({@code null} = absent). Immutable.
 */
public record Rpc(List<SubOpts> subscriptions, List<Message> publish, ControlMessage control) {
  /** The RPC with nothing in it (encodes to zero bytes). */
  public static final Rpc EMPTY = new Rpc(List.of(), List.of(), null);

  public Rpc {
    subscriptions = List.copyOf(subscriptions);
    publish = List.copyOf(publish);
  }

  public static Rpc ofControl(ControlMessage control) {
    return new Rpc(List.of(), List.of(), control);
  }

  public static Rpc ofPublish(List<Message> messages) {
    return new Rpc(List.of(), messages, null);
  }

  public static Rpc ofSubscriptions(List<SubOpts> subs) {
    return new Rpc(subs, List.of(), null);
  }

  /** The control part, or the empty control message when absent. */
  public ControlMessage controlOrEmpty() {
    return control == null ? ControlMessage.EMPTY : control;
  }

  /** True when the RPC would encode to zero bytes. */
  public boolean isEmpty() {
    return subscriptions.isEmpty() && publish.isEmpty() && (control == null || control.isEmpty());
  }
}
