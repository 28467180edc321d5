package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.EventDispatcher.EventClass;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Consumer;
import org.slf4j.MDC;

/**
 * The host side of the event path: the {@link HostPort} the services use, the {@link
 * EventDispatcher} whose delivery thread calls the host's listener, and the rules that tie them
 * (which events are stamped for snapshot consistency, which may use a class's reserve, per-request
 * handlers, request slots). Offers run on the loop; delivery runs on the network's
 * {@code lean-p2p-<name>-events} thread.
 */
final class HostOutbox implements HostPort {
  /** An event for one request's own handler rather than the network listener. */
  private record Routed(NetworkListener handler, NetworkEvent event) {}

  /** An event the published snapshot must show (at least {@code version}) before the host gets it. */
  private record Stamped(long version, NetworkEvent event) {}

  private final EventDispatcher<Object> dispatcher;
  private final RequestSlots slots;
  private final Runnable[] resumeHooks = new Runnable[EventClass.values().length];
  private final Runnable onStateChange;
  /** Bumped by every event that changes what a snapshot shows (loop thread). */
  private long stateVersion;

  HostOutbox(
      NetworkConfig config,
      NetworkListener listener,
      SnapshotBoard board,
      RequestSlots slots,
      Consumer<Runnable> loopExecutor,
      Runnable onStateChange,
      String mdcKey) {
    this.slots = slots;
    this.onStateChange = onStateChange;
    String name = config.name();
    int classes = EventClass.values().length;
    int[] caps = new int[classes];
    int[] reserves = new int[classes];
    caps[EventClass.PEER.ordinal()] = config.peerEventQueueCapacity();
    caps[EventClass.RESPONSE.ordinal()] = config.responseEventQueueCapacity();
    caps[EventClass.INBOUND_REQUEST.ordinal()] = config.inboundRequestQueueCapacity();
    caps[EventClass.GOSSIP.ordinal()] = config.gossipQueueCapacity();
    // disconnections: at most one per connected peer (static peers may exceed maxPeers)
    // plus the outcome event of every command still queued when the network closes (abandoned)
    reserves[EventClass.PEER.ordinal()] = 2 * config.maxPeers() + 64
        + config.controlLaneCapacity() + config.bulkLaneCapacity();
    // terminal events: at most one per in-flight request (every peer at its concurrency limit)
    reserves[EventClass.RESPONSE.ordinal()] = (config.maxPeers() + 64) * config.reqresp().maxConcurrentPerPeer();
    Runnable[] resume = new Runnable[classes];
    for (EventClass c : EventClass.values()) {
      resume[c.ordinal()] = () -> {
        Runnable hook = resumeHooks[c.ordinal()];
        if (hook != null) {
          hook.run();
        }
      };
    }
    this.dispatcher = new EventDispatcher<>(
        name,
        item -> {
          if (MDC.get(mdcKey) == null) {
            MDC.put(mdcKey, name);
          }
          NetworkListener to = listener;
          if (item instanceof Routed r) {
            to = r.handler();
            item = r.event();
          }
          if (item instanceof Stamped s) {
            board.awaitVersion(s.version());
            item = s.event();
          }
          to.onEvent((NetworkEvent) item);
        },
        new DefaultThreadFactory("lean-p2p-" + name + "-events", true),
        loopExecutor,
        caps,
        reserves,
        resume);
  }

  /** Loop thread: what runs when the host has drained a paused class below 1/4. */
  void onResume(EventClass c, Runnable hook) {
    resumeHooks[c.ordinal()] = hook;
  }

  EventDispatcher<Object> dispatcher() {
    return dispatcher;
  }

  /** The version the next published snapshot must carry to show every event queued so far. */
  long stateVersion() {
    return stateVersion;
  }

  /** Whether the host's peer-event queue is full (the admission policy refuses new peers then). */
  @Override
  public boolean peerQueueFull() {
    return dispatcher.isFull(EventClass.PEER);
  }

  // ------------------------------------------------------------------ HostPort

  @Override
  public void peerEvent(NetworkEvent e) {
    boolean changesState = e instanceof NetworkEvent.PeerConnected || e instanceof NetworkEvent.PeerDisconnected
        || e instanceof NetworkEvent.PeerSubscription || e instanceof NetworkEvent.MeshChange;
    Object item = e;
    if (changesState) {
      item = new Stamped(++stateVersion, e);
      onStateChange.run(); // a fresh snapshot at the end of this loop iteration
    }
    if (e instanceof NetworkEvent.PeerConnected || e instanceof NetworkEvent.PeerDisconnected) {
      dispatcher.offerReserved(EventClass.PEER, item);
    } else {
      dispatcher.offer(EventClass.PEER, item);
    }
  }

  /**
   * The outcome event of a command the closing network will not carry out: never shed (the
   * reserve covers every command the lanes can hold), so each accepted command gets its event.
   */
  void abandoned(NetworkEvent e) {
    dispatcher.offerReserved(EventClass.PEER, e);
  }

  @Override
  public boolean responseChunk(NetworkListener handler, NetworkEvent.ResponseChunk chunk) {
    return dispatcher.offer(EventClass.RESPONSE, handler == null ? chunk : new Routed(handler, chunk));
  }

  @Override
  public void requestEnded(PeerId peer, NetworkListener handler, NetworkEvent terminal) {
    slots.release(peer);
    dispatcher.offerReserved(EventClass.RESPONSE, handler == null ? terminal : new Routed(handler, terminal));
  }

  @Override
  public void publishCompleted(NetworkEvent.PublishCompleted completion) {
    dispatcher.offer(EventClass.RESPONSE, completion);
  }

  @Override
  public boolean gossip(NetworkEvent.GossipMessage message) {
    return dispatcher.offer(EventClass.GOSSIP, message);
  }

  @Override
  public boolean inboundRequest(NetworkEvent.InboundRequest request) {
    return dispatcher.offer(EventClass.INBOUND_REQUEST, request);
  }

  @Override
  public boolean backlogged(EventClass c) {
    return dispatcher.aboveHighWatermark(c);
  }

  @Override
  public void markPaused(EventClass c) {
    dispatcher.markPaused(c);
  }
}
