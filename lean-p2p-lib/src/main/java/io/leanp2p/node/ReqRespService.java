package io.leanp2p.node;

import io.leanp2p.lean.ResponseCode;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.EventDispatcher.EventClass;
import io.leanp2p.node.metrics.LatencyHistogram;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.node.swarm.PeerTable;
import io.leanp2p.node.swarm.Service;
import io.leanp2p.protocol.reqresp.ChannelOutcome;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.protocol.reqresp.ReqResp;
import io.leanp2p.config.ReqRespConfig;
import io.leanp2p.protocol.reqresp.ReqRespListener;
import io.leanp2p.types.RequestError;
import io.leanp2p.protocol.reqresp.RequestOutcome;
import io.leanp2p.protocol.reqresp.ResponseChannels;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.multistream.ProtocolHandler;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lean req/resp protocols as a service: our requests (each ends with exactly one terminal
 * event, routed to its own handler if it has one), the remotes' requests (channels the host
 * answers; each channel's one queue is the {@link ResponseChannels} budget the host reserves
 * against), and backpressure both ways: reading inbound request streams pauses while the host's
 * request queue is above 3/4, reading our response streams pauses while its response queue is; a
 * request the host has no room for is answered {@code RESOURCE_UNAVAILABLE}, a response chunk it
 * has no room for ends the request {@code SHED}. Streams are opened through the {@link PeerTable}
 * at the moment they are needed.
 *
 * <p><b>Duplicate connections.</b> When two peers dial each other at once, the swarm keeps one
 * connection and closes the other once it looks idle; a request the remote had just opened on the
 * closing one (the remote cannot know yet) is reset with it. Such a request, reset because its
 * connection closed, before any response chunk arrived, while the peer is still connected on the
 * survivor, is sent again once on the survivor (lean requests are reads, so repeating one is safe);
 * it keeps its id and gets a fresh timeout, and the host sees only its one terminal event.
 * Counted in {@code leanp2p_request_retries_total}. Loop thread only.
 */
final class ReqRespService implements Service, ReqRespListener {
  private final ReqResp reqresp;
  private final HostPort host;
  private final PeerTable peers;
  private final Scheduler sched;
  /** Our in-flight requests: peer, protocol, handler, start time. */
  private final Map<Long, OpenRequest> requests = new HashMap<>();
  /** Inbound channels the host may answer: the peer that asked. */
  private final Map<Long, PeerId> channelPeers = new HashMap<>();
  private final EnumMap<LeanProtocol, ProtocolHandler> handlers = new EnumMap<>(LeanProtocol.class);
  private final EnumMap<LeanProtocol, LatencyHistogram> latency = new EnumMap<>(LeanProtocol.class);
  private final List<MuxedStream> pausedRequestStreams = new ArrayList<>();
  private boolean requestsPaused;
  private boolean responsesPaused;

  private long retries;

  /** One of our requests: the request bytes are kept (not copied) for the one retry. */
  private static final class OpenRequest {
    final PeerId peer;
    final LeanProtocol protocol;
    final NetworkListener handler;
    final long startNanos;
    final byte[] ssz;
    boolean chunkReceived;
    boolean retried;

    OpenRequest(PeerId peer, LeanProtocol protocol, NetworkListener handler, long startNanos, byte[] ssz) {
      this.peer = peer;
      this.protocol = protocol;
      this.handler = handler;
      this.startNanos = startNanos;
      this.ssz = ssz;
    }

    PeerId peer() {
      return peer;
    }

    LeanProtocol protocol() {
      return protocol;
    }

    NetworkListener handler() {
      return handler;
    }

    long startNanos() {
      return startNanos;
    }
  }

  ReqRespService(ReqRespConfig cfg, ResponseChannels channels, Scheduler sched, PeerTable peers, HostPort host) {
    this.host = host;
    this.peers = peers;
    this.sched = sched;
    this.reqresp = new ReqResp(cfg, sched, this, (peer, protocolId, cb) -> peers.openStream(peer, List.of(protocolId), cb),
        channels);
    for (LeanProtocol p : LeanProtocol.values()) {
      handlers.put(p, reqresp.inboundHandler(p));
      latency.put(p, new LatencyHistogram());
    }
  }

  // ------------------------------------------------------------------ commands

  void sendRequest(Command.SendRequest r) {
    if (!peers.isConnected(r.peer())) {
      fail(r, RequestError.Kind.NOT_CONNECTED, "peer not connected");
      return;
    }
    requests.put(r.requestId(), new OpenRequest(r.peer(), r.protocol(), r.handler(), sched.nanoTime(), r.ssz()));
    RequestOutcome o = reqresp.request(r.requestId(), r.peer(), r.protocol(), r.ssz());
    if (o != RequestOutcome.ACCEPTED) {
      requests.remove(r.requestId());
      fail(r, RequestError.Kind.PROTOCOL_VIOLATION, "request refused: " + o);
    }
  }

  /** A request that never reached req/resp still gets its one terminal event. */
  void fail(Command.SendRequest r, RequestError.Kind kind, String why) {
    host.requestEnded(r.peer(), r.handler(),
        new NetworkEvent.RequestFailed(r.requestId(), r.peer(), r.protocol(), new RequestError(kind, null, -1, why)));
  }

  /** A chunk whose bytes the host reserved in the channel's queue. */
  void responseChunk(long channelId, byte[] ssz) {
    ChannelOutcome o = reqresp.sendReservedChunk(channelId, ssz);
    if (o != ChannelOutcome.OK) {
      channelGone(channelId, "chunk refused: " + o);
    }
  }

  void endResponse(long channelId) {
    ChannelOutcome o = reqresp.endResponse(channelId);
    channelGone(channelId, o == ChannelOutcome.OK ? null : "end refused: " + o);
  }

  void errorResponse(long channelId, ResponseCode code, String message) {
    ChannelOutcome o = reqresp.sendError(channelId, code, message);
    channelGone(channelId, o == ChannelOutcome.OK ? null : "error response refused: " + o);
  }

  private void channelGone(long channelId, String why) {
    PeerId p = channelPeers.remove(channelId);
    if (why != null && p != null) {
      host.peerEvent(new NetworkEvent.ResponseChannelClosed(channelId, p, why));
    }
  }

  /** The host drained its request queue: read request streams again. */
  void resumeRequests() {
    requestsPaused = false;
    for (MuxedStream s : pausedRequestStreams) {
      s.setReadPaused(false);
    }
    pausedRequestStreams.clear();
  }

  /** The host drained its response queue: read our response streams again. */
  void resumeResponses() {
    responsesPaused = false;
    reqresp.pauseResponseReads(false);
  }

  void close() {
    reqresp.close();
    channelPeers.clear();
    // a request waiting for its retry is not in req/resp any more: it still gets its one end
    for (Map.Entry<Long, OpenRequest> e : List.copyOf(requests.entrySet())) {
      OpenRequest r = e.getValue();
      host.requestEnded(r.peer(), r.handler(), new NetworkEvent.RequestFailed(e.getKey(), r.peer(), r.protocol(),
          new RequestError(RequestError.Kind.CLOSED, null, -1, "network closed")));
    }
    requests.clear();
  }

  // ------------------------------------------------------------------ Service

  @Override
  public List<String> protocols() {
    List<String> ids = new ArrayList<>();
    for (LeanProtocol p : LeanProtocol.values()) {
      ids.add(p.id());
    }
    return ids;
  }

  @Override
  public void onInboundStream(String protocol, MuxedStream stream, ByteBuf leftover) {
    if (requestsPaused && pausedRequestStreams.size() < 4096) {
      stream.setReadPaused(true);
      pausedRequestStreams.add(stream);
    }
    for (LeanProtocol p : LeanProtocol.values()) {
      if (p.id().equals(protocol)) {
        handlers.get(p).onStream(stream, leftover);
        return;
      }
    }
    leftover.release();
    stream.reset();
  }

  @Override
  public void onPeerDisconnected(PeerId peer, CloseReason reason) {
    reqresp.peerDisconnected(peer);
  }

  @Override
  public void metrics(MetricsSnapshot.Builder b) {
    latency.forEach((p, h) -> b.histogram("leanp2p_request_latency_seconds", "request to end of stream",
        Map.of("protocol", p.name().toLowerCase()), h));
    b.counter("leanp2p_request_retries_total", "our requests sent again after their connection closed as a duplicate",
        Map.of(), retries);
    b.counter("leanp2p_request_timeouts_total", "our requests that timed out", Map.of(), reqresp.snapshot().requestTimeouts());
    MetricsCounters.record(b, "leanp2p_reqresp_", "req/resp counter", reqresp.snapshot());
  }

  // ------------------------------------------------------------------ ReqRespListener

  @Override
  public void onResponseChunk(long requestId, byte[] ssz) {
    OpenRequest r = requests.get(requestId);
    if (r == null) {
      return;
    }
    r.chunkReceived = true;
    if (!host.responseChunk(r.handler(), new NetworkEvent.ResponseChunk(requestId, r.peer(), r.protocol(), ssz))) {
      reqresp.abort(requestId, "the host's response queue is full");
      return;
    }
    if (!responsesPaused && host.backlogged(EventClass.RESPONSE)) {
      responsesPaused = true;
      reqresp.pauseResponseReads(true);
      host.markPaused(EventClass.RESPONSE);
    }
  }

  @Override
  public void onEndOfStream(long requestId) {
    OpenRequest r = requests.remove(requestId);
    if (r != null) {
      latency.get(r.protocol()).recordNanos(sched.nanoTime() - r.startNanos());
      host.requestEnded(r.peer(), r.handler(), new NetworkEvent.EndOfStream(requestId, r.peer(), r.protocol()));
    }
  }

  @Override
  public void onRequestFailed(long requestId, RequestError error) {
    OpenRequest r = requests.get(requestId);
    if (r == null) {
      return;
    }
    if (mayRetry(r, error)) {
      r.retried = true;
      // after the tasks already queued: the swarm first learns which connection closed, so a peer
      // that is gone altogether is seen as gone here
      sched.schedule(0, () -> retry(requestId, r, error));
      return;
    }
    requests.remove(requestId);
    host.requestEnded(r.peer(), r.handler(), new NetworkEvent.RequestFailed(requestId, r.peer(), r.protocol(), error));
  }

  private static boolean mayRetry(OpenRequest r, RequestError error) {
    return !r.retried && !r.chunkReceived && error.kind() == RequestError.Kind.STREAM_RESET
        && error.message() != null && error.message().contains("connection closed");
  }

  private void retry(long requestId, OpenRequest r, RequestError original) {
    if (requests.get(requestId) != r) {
      return; // closed meanwhile
    }
    if (peers.isConnected(r.peer())
        && reqresp.request(requestId, r.peer(), r.protocol(), r.ssz) == RequestOutcome.ACCEPTED) {
      retries++;
      return;
    }
    requests.remove(requestId);
    host.requestEnded(r.peer(), r.handler(), new NetworkEvent.RequestFailed(requestId, r.peer(), r.protocol(), original));
  }

  @Override
  public void onInboundRequest(long channelId, PeerId peer, LeanProtocol protocol, byte[] ssz) {
    channelPeers.put(channelId, peer);
    if (!host.inboundRequest(new NetworkEvent.InboundRequest(channelId, peer, protocol, ssz))) {
      channelPeers.remove(channelId);
      reqresp.sendError(channelId, ResponseCode.RESOURCE_UNAVAILABLE, "host busy");
      return;
    }
    if (!requestsPaused && host.backlogged(EventClass.INBOUND_REQUEST)) {
      requestsPaused = true;
      host.markPaused(EventClass.INBOUND_REQUEST);
    }
  }

  @Override
  public void onChannelClosed(long channelId, String reason) {
    PeerId p = channelPeers.remove(channelId);
    if (p != null) {
      host.peerEvent(new NetworkEvent.ResponseChannelClosed(channelId, p, reason));
    }
  }
}
