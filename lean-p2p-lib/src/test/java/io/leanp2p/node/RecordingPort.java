package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.EventDispatcher.EventClass;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * A {@link HostPort} for service unit tests: it records what a service hands the host, and can be
 * told that the host is behind (a class backlogged) or full (offers refused).
 */
final class RecordingPort implements HostPort {
  final List<NetworkEvent> peerEvents = new ArrayList<>();
  final List<NetworkEvent> responses = new ArrayList<>();
  final List<NetworkEvent.GossipMessage> gossip = new ArrayList<>();
  final List<NetworkEvent.InboundRequest> inbound = new ArrayList<>();
  final List<PeerId> slotsReleased = new ArrayList<>();
  final EnumSet<EventClass> backlogged = EnumSet.noneOf(EventClass.class);
  final EnumSet<EventClass> full = EnumSet.noneOf(EventClass.class);
  final List<EventClass> paused = new ArrayList<>();

  @Override
  public void peerEvent(NetworkEvent e) {
    peerEvents.add(e);
  }

  @Override
  public boolean responseChunk(NetworkListener handler, NetworkEvent.ResponseChunk chunk) {
    if (full.contains(EventClass.RESPONSE)) {
      return false;
    }
    responses.add(chunk);
    return true;
  }

  @Override
  public void requestEnded(PeerId peer, NetworkListener handler, NetworkEvent terminal) {
    slotsReleased.add(peer);
    responses.add(terminal);
  }

  @Override
  public void publishCompleted(NetworkEvent.PublishCompleted completion) {
    responses.add(completion);
  }

  @Override
  public boolean gossip(NetworkEvent.GossipMessage message) {
    if (full.contains(EventClass.GOSSIP)) {
      return false;
    }
    gossip.add(message);
    return true;
  }

  @Override
  public boolean inboundRequest(NetworkEvent.InboundRequest request) {
    if (full.contains(EventClass.INBOUND_REQUEST)) {
      return false;
    }
    inbound.add(request);
    return true;
  }

  @Override
  public boolean backlogged(EventClass c) {
    return backlogged.contains(c);
  }

  @Override
  public void markPaused(EventClass c) {
    paused.add(c);
  }

  <T extends NetworkEvent> List<T> peer(Class<T> type) {
    return peerEvents.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends NetworkEvent> List<T> response(Class<T> type) {
    return responses.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
