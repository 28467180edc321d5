package io.leanp2p.node;

/**
 * The host's receiver of {@link NetworkEvent}s. Called on the network's delivery thread — never on
 * the event loop — one event at a time, in order within each event class. A slow listener does
 * not slow the network: gossip and inbound requests are shed by rule (counted) when it falls
 * behind; responses and peer events are never shed. Exceptions are caught, logged and counted.
 */
@FunctionalInterface
public interface NetworkListener {
  void onEvent(NetworkEvent event);
}
