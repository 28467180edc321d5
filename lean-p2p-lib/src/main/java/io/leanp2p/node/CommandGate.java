package io.leanp2p.node;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.protocol.reqresp.ResponseChannels;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The host-thread half of the actor: argument checks, the claims that must be decided before a
 * command is accepted (a request's per-peer slot, a response chunk's bytes in its channel), the
 * offer to a lane, and the count of every refusal by reason. Thread-safe; it reads only what the
 * loop publishes for other threads (the snapshot, the channels' budgets, the slots).
 */
final class CommandGate {
  /**
   * From this payload size on, {@code publish} compresses and hashes (message id) on the caller's
   * thread, so that a block costs the event loop only routing and encryption; below it, the loop
   * does it (a few microseconds) and the call stays a copy and a queue offer.
   */
  static final int PREPARE_ON_CALLER_BYTES = 16 * 1024;

  private final NetworkConfig config;
  private final NetworkState state;
  private final CommandLanes<Command> lanes;
  private final RequestSlots slots;
  private final SnapshotBoard board;
  private final ResponseChannels channels;
  private final AtomicLong nextRequestId = new AtomicLong(1);
  private final EnumMap<Outcome.Kind, LongAdder> refusals = new EnumMap<>(Outcome.Kind.class);

  CommandGate(
      NetworkConfig config,
      NetworkState state,
      CommandLanes<Command> lanes,
      RequestSlots slots,
      SnapshotBoard board,
      ResponseChannels channels) {
    this.config = config;
    this.state = state;
    this.lanes = lanes;
    this.slots = slots;
    this.board = board;
    this.channels = channels;
    for (Outcome.Kind k : Outcome.Kind.values()) {
      refusals.put(k, new LongAdder());
    }
  }

  /** Counts and returns a refusal. */
  Outcome refuse(Outcome o) {
    refusals.get(o.kind()).increment();
    return o;
  }

  Map<Outcome.Kind, Long> refusalCounts() {
    Map<Outcome.Kind, Long> m = new EnumMap<>(Outcome.Kind.class);
    refusals.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  Outcome checkPayload(byte[] ssz) {
    if (ssz == null) {
      return Outcome.invalid("payload is null");
    }
    if (ssz.length > config.maxPayload()) {
      return Outcome.invalid("payload of " + ssz.length + " bytes exceeds " + config.maxPayload());
    }
    return null;
  }

  Outcome checkTopic(String topic) {
    if (topic == null || topic.isEmpty()) {
      return Outcome.invalid("empty topic");
    }
    if (topic.length() > 256) {
      return Outcome.invalid("topic longer than 256 characters");
    }
    return null;
  }

  /**
   * Offers {@code c} to its lane (control or bulk), waiting up to {@code maxWait} for room; the
   * close handshake of {@link NetworkState} guarantees that an accepted command is seen by the
   * loop (carried out, or answered at close).
   */
  Outcome submit(Command c, Duration maxWait) {
    Outcome refused = state.enter();
    if (refused != null) {
      return refuse(refused);
    }
    boolean ok;
    try {
      CommandLanes.Lane lane = c instanceof Command.Control ? CommandLanes.Lane.CONTROL : CommandLanes.Lane.BULK;
      ok = maxWait.isZero()
          ? lanes.offer(lane, c)
          : lanes.offer(lane, c, maxWait.toNanos(), state::isRunning);
    } finally {
      state.leave();
    }
    if (ok) {
      return Outcome.ACCEPTED;
    }
    Outcome now = state.refusal();
    return refuse(now != null ? now : Outcome.QUEUE_FULL);
  }

  /**
   * A publish: checked, copied (compressing makes the copy), prepared on this thread when large
   * or when it could be over the gossip limit once compressed (then refused TOO_LARGE here), and
   * offered.
   */
  Outcome publish(String topic, byte[] payload, boolean raw, Duration maxWait) {
    Outcome bad = checkTopic(topic);
    if (bad == null) {
      bad = checkPayload(payload);
    }
    if (bad != null) {
      return refuse(bad);
    }
    int limit = config.gossip().maxPayloadSize();
    boolean mayGrowPastLimit = raw ? payload.length > limit : SnappyBlock.maxCompressedLength(payload.length) > limit;
    Command.Publish p;
    if (payload.length < PREPARE_ON_CALLER_BYTES && !mayGrowPastLimit) {
      p = new Command.Publish(topic, payload.clone(), raw, null);
    } else {
      p = new Command.Publish(topic, raw ? payload.clone() : payload, raw, null).prepared(limit);
      if (p.bytes().length > limit) {
        return refuse(Outcome.tooLarge(
            "payload is " + p.bytes().length + " bytes on the wire, over the gossip limit of " + limit));
      }
    }
    return submit(p, maxWait);
  }

  /** A request: checked, its per-peer slot claimed, its id taken, offered. */
  RequestHandle sendRequest(PeerId peer, LeanProtocol protocol, byte[] ssz, NetworkListener handler, Duration maxWait) {
    Outcome bad = peer == null ? Outcome.invalid("peer is null")
        : protocol == null ? Outcome.invalid("protocol is null")
        : checkPayload(ssz);
    if (bad == null) {
      bad = state.refusal();
    }
    if (bad == null && !board.snapshot().isConnected(peer)) {
      bad = Outcome.NOT_CONNECTED;
    }
    if (bad == null && !slots.claim(peer)) {
      bad = Outcome.TOO_MANY_REQUESTS;
    }
    if (bad != null) {
      return new RequestHandle(refuse(bad), 0);
    }
    long id = nextRequestId.getAndIncrement();
    Outcome o = submit(new Command.SendRequest(id, peer, protocol, ssz.clone(), handler), maxWait);
    if (!o.isAccepted()) {
      slots.release(peer); // the id is skipped, never reused
      return new RequestHandle(o, 0);
    }
    return new RequestHandle(o, id);
  }

  /**
   * A response chunk: its bytes are reserved in the channel's one queue first (waiting up to
   * {@code maxWait} for the stream to take earlier chunks), so an accepted chunk always fits.
   */
  Outcome responseChunk(long channelId, byte[] ssz, Duration maxWait) {
    Outcome bad = checkPayload(ssz);
    if (bad != null) {
      return refuse(bad);
    }
    long deadline = System.nanoTime() + maxWait.toNanos();
    long pause = 1_000;
    while (true) {
      switch (channels.tryReserve(channelId, ssz.length)) {
        case OK -> {
          Outcome o = submit(new Command.ResponseChunk(channelId, ssz.clone()), maxWait);
          if (!o.isAccepted()) {
            channels.release(channelId, ssz.length);
          }
          return o;
        }
        case UNKNOWN -> {
          return refuse(Outcome.invalid("unknown or finished channel " + channelId));
        }
        case FULL -> {
          if (maxWait.isZero() || System.nanoTime() - deadline >= 0 || !state.isRunning()) {
            return refuse(Outcome.QUEUE_FULL);
          }
          LockSupport.parkNanos(pause);
          pause = Math.min(pause * 2, 1_000_000);
        }
      }
    }
  }

  /** End or error on a channel: the channel must still be open. */
  Outcome channelCommand(long channelId, Command.Control c) {
    if (!channels.isOpen(channelId)) {
      return refuse(Outcome.invalid("unknown or finished channel " + channelId));
    }
    return submit(c, Duration.ZERO);
  }
}
