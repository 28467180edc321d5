package io.leanp2p.protocol.gossipsub;

import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.RpcCodec;
import io.leanp2p.codec.gossip.RpcFrameDecoder;
import io.leanp2p.codec.gossip.RpcFrames;
import io.leanp2p.config.RpcLimits;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transport-agnostic glue between gossip streams and the {@link GossipRouter}. Gossipsub uses one
 * stream per direction and peer: we read RPCs from the stream the peer opened and write ours on
 * the stream we opened (both already negotiated to {@code /meshsub/...}).
 *
 * <p>Inbound: varint-framed RPCs (frame size capped by {@link RpcLimits#maxRpcSize()}, checked
 * before allocating) are decoded and passed to {@code onRpc}; an RPC that fails to decode is
 * skipped and counted (leanSpec does the same): as {@code rpcsOverLimits} when it is over one of
 * the {@link RpcLimits} (too many subscriptions, messages, control entries or message ids), else
 * as {@code rpcDecodeErrors}; broken framing resets the stream. Outbound: RPCs
 * are framed into a bounded per-peer queue and written while the stream {@link
 * MuxedStream#isWritable() is writable}; over {@code maxQueueBytes} an RPC is dropped and
 * counted, never queued without bound. Single-threaded (the event loop).
 *
 * <p>Wiring in the node: the node's {@link GossipOutput#send} calls {@link #send}; when a peer's
 * gossip streams come up it calls {@link #attachInbound} / {@link #attachOutbound} and {@link
 * GossipRouter#addPeer}; when the peer goes away, {@link GossipRouter#removePeer} and {@link
 * #detach}.
 */
public final class GossipStreams {
  private static final Logger LOG = LoggerFactory.getLogger(GossipStreams.class);

  private final BiConsumer<PeerId, Rpc> onRpc;
  private final RpcLimits limits;
  private final int maxQueueBytes;
  private final Map<PeerId, Outbound> outbound = new HashMap<>();
  private final Map<PeerId, MuxedStream> inbound = new HashMap<>();

  long framesReceived;
  long rpcDecodeErrors;
  long rpcsOverLimits;
  long framingErrors;
  long rpcsQueued;
  long rpcsDroppedQueueFull;
  long bytesWritten;

  /** Immutable counter snapshot. */
  public record Counters(long framesReceived, long rpcDecodeErrors, long framingErrors, long rpcsQueued,
      long rpcsDroppedQueueFull, long bytesWritten, long rpcsOverLimits) {}

  /**
   * @param onRpc where decoded RPCs go (normally {@code router::onRpc})
   * @param limits inbound decoding limits
   * @param maxQueueBytes bytes queued per peer before outgoing RPCs are dropped
   */
  public GossipStreams(BiConsumer<PeerId, Rpc> onRpc, RpcLimits limits, int maxQueueBytes) {
    this.onRpc = onRpc;
    this.limits = limits;
    this.maxQueueBytes = maxQueueBytes;
  }

  public GossipStreams(GossipRouter router) {
    this(router::onRpc, router.config().rpcLimits(), router.config().maxPeerQueueBytes());
  }

  public Counters counters() {
    return new Counters(framesReceived, rpcDecodeErrors, framingErrors, rpcsQueued, rpcsDroppedQueueFull,
        bytesWritten, rpcsOverLimits);
  }

  /**
   * Starts reading RPCs of {@code peer} from {@code stream}; {@code leftover} (may be null) holds
   * bytes that arrived with the protocol negotiation and is consumed first (ownership passes).
   */
  public void attachInbound(PeerId peer, MuxedStream stream, ByteBuf leftover) {
    MuxedStream old = inbound.put(peer, stream);
    if (old != null && old != stream && old.connection() == stream.connection()) {
      old.reset();
    }
    // a stream on another connection (the loser of the one-connection-per-peer rule, draining) is
    // read to its end: what the peer wrote there before it switched is not lost
    RpcFrameDecoder decoder = new RpcFrameDecoder(limits.maxRpcSize());
    StreamHandler h = new StreamHandler() {
      boolean broken;
      final List<ByteBuf> frames = new ArrayList<>(2);

      @Override
      public void onData(MuxedStream s, ByteBuf data) {
        if (broken) {
          data.release();
          return;
        }
        // frames are the received buffers themselves (no copy); decoding copies each payload
        // once into the array its message keeps
        frames.clear();
        try {
          decoder.decodeFrames(data, frames);
        } catch (DecodeException e) {
          broken = true;
          framingErrors++;
          LOG.debug("gossip framing error from {}: {}", peer, e.getMessage());
          releaseAll(frames);
          s.reset();
          return;
        } finally {
          data.release();
        }
        for (int i = 0; i < frames.size(); i++) {
          ByteBuf f = frames.get(i);
          framesReceived++;
          Rpc rpc;
          try {
            rpc = RpcCodec.decode(f, limits);
          } catch (DecodeException e) {
            if (e.reason() == DecodeException.Reason.TOO_LARGE) {
              rpcsOverLimits++;
            } else {
              rpcDecodeErrors++;
            }
            continue;
          } finally {
            f.release();
          }
          onRpc.accept(peer, rpc);
        }
        frames.clear();
      }

      @Override
      public void onReset(MuxedStream s, String reason) {
        decoder.release();
      }

      @Override
      public void onRemoteClose(MuxedStream s) {
        s.closeWrite(); // the peer ended its stream (e.g. moved to a new connection): end our unused half too
      }

      @Override
      public void onClosed(MuxedStream s) {
        decoder.release();
        inbound.remove(peer, s);
      }
    };
    if (leftover != null && leftover.isReadable()) {
      h.onData(stream, leftover);
    } else if (leftover != null) {
      leftover.release();
    }
    stream.handler(h);
  }

  /**
   * Uses {@code stream} (negotiated, ours) to write RPCs to {@code peer}; RPCs queued for the peer
   * before its stream existed (such as the router's initial subscription RPC) go out first.
   */
  public void attachOutbound(PeerId peer, MuxedStream stream) {
    Outbound o = outbound.computeIfAbsent(peer, k -> new Outbound());
    if (o.stream != null && o.stream != stream) {
      o.stream.closeWrite();
    }
    o.stream = stream;
    stream.handler(new StreamHandler() {
      @Override
      public void onData(MuxedStream s, ByteBuf data) {
        data.release(); // nothing is expected on our outbound stream
      }

      @Override
      public void onWritabilityChanged(MuxedStream s) {
        o.drain();
      }

      @Override
      public void onClosed(MuxedStream s) {
        if (o.stream == s) {
          outbound.remove(peer, o);
        }
      }
    });
    o.drain();
  }

  /**
   * Frames and queues {@code rpc} for {@code peer}. Without an outbound stream yet, RPCs wait in
   * the same bounded queue until {@link #attachOutbound}; without room they are dropped and
   * counted. Call {@link #detach} when the peer goes away.
   */
  public void send(PeerId peer, Rpc rpc) {
    Outbound o = outbound.computeIfAbsent(peer, k -> new Outbound());
    // a message sent to several peers is encoded once and its payload shared, never copied
    RpcFrames.Frame frame = RpcFrames.encodeShared(rpc);
    if (o.queuedBytes + frame.length() > maxQueueBytes) {
      rpcsDroppedQueueFull++;
      return;
    }
    o.queue.add(frame);
    o.queuedBytes += frame.length();
    rpcsQueued++;
    o.drain();
  }

  /** Forgets the peer's streams (closing our write side) and drops its queue. */
  public void detach(PeerId peer) {
    Outbound o = outbound.remove(peer);
    if (o != null) {
      o.queue.clear();
      if (o.stream != null) {
        o.stream.closeWrite();
      }
    }
    inbound.remove(peer);
  }

  /** Bytes queued for {@code peer}, not yet handed to the stream. */
  public long queuedBytes(PeerId peer) {
    Outbound o = outbound.get(peer);
    return o == null ? 0 : o.queuedBytes;
  }

  private final class Outbound {
    MuxedStream stream;
    final ArrayDeque<RpcFrames.Frame> queue = new ArrayDeque<>();
    long queuedBytes;

    void drain() {
      while (stream != null && !queue.isEmpty() && stream.isWritable()) {
        RpcFrames.Frame f = queue.poll();
        queuedBytes -= f.length();
        bytesWritten += f.length();
        stream.write(f.toByteBuf());
      }
    }
  }

  private static void releaseAll(List<ByteBuf> frames) {
    for (ByteBuf f : frames) {
      f.release();
    }
    frames.clear();
  }

  /** All peers with an outbound stream or queue. */
  public List<PeerId> outboundPeers() {
    return new ArrayList<>(outbound.keySet());
  }
}
