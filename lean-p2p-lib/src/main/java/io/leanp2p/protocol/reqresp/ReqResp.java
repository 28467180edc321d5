package io.leanp2p.protocol.reqresp;

import io.leanp2p.codec.sszsnappy.RequestDecoder;
import io.leanp2p.codec.sszsnappy.ResponseChunk;
import io.leanp2p.lean.ResponseCode;
import io.leanp2p.codec.sszsnappy.ResponseDecoder;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.ProtocolHandler;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.leanp2p.types.RequestError;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;

/**
 * The lean req/resp protocols, both sides, for one network. Lives on the network's event loop:
 * every method must be called there and every callback runs there; there are no locks.
 *
 * <p><b>Requester.</b> {@link #request} checks the request and the per-peer concurrency limit up
 * front and answers with a {@link RequestOutcome}. An accepted request opens a stream through the
 * {@link StreamOpener}, writes the request, half-closes, and parses response chunks incrementally
 * (any fragmentation), handing each SUCCESS chunk up at once. It ends with exactly one terminal
 * callback: end of stream, an error chunk, a protocol violation (undecodable or truncated chunk,
 * more chunks than the request allows), a reset, disconnect, close, or the whole-exchange timeout;
 * bytes that arrive after that are dropped.
 *
 * <p><b>Responder.</b> {@link #inboundHandler} serves one protocol. The request is decoded as soon
 * as the declared length is complete (no wait for FIN); the codec rejects oversized declared
 * lengths and compressed bytes beyond the bound before decompressing. Codec failures are answered
 * {@code INVALID_REQUEST "Empty request"}, bad SSZ {@code INVALID_REQUEST "Invalid <Type>
 * message"} (spec strings). Requests within the limits reach the host with a channel id; the host
 * answers with {@link #sendChunk}, {@link #endResponse} or {@link #sendError}. Chunks the stream
 * cannot take yet wait in the channel's one queue, bounded in bytes by {@link ResponseChannels}
 * (which a host thread may reserve against before its chunk reaches the loop: {@link
 * #sendReservedChunk}), written as writability returns. A channel with no host call and no write
 * progress for the idle timeout expires: the remote gets {@code SERVER_ERROR "Response timed out"}
 * and the host {@link ReqRespListener#onChannelClosed}.
 *
 * <p><b>Response reads</b> can be paused ({@link #pauseResponseReads}): every response stream of
 * ours stops being read (Yamux stops crediting, QUIC stops reading), so a host that falls behind
 * flow-controls the remotes instead of buffering their chunks.
 *
 * <p><b>Inbound limits.</b> Concurrent inbound requests per peer and in total (over → stream
 * reset); per peer and protocol token buckets on requests and on requested blocks (over → {@code
 * RESOURCE_UNAVAILABLE "Rate limited"}). All counted in {@link #snapshot()}.
 */
public final class ReqResp {
  private static final Logger LOG = LoggerFactory.getLogger(ReqResp.class);

  static final String EMPTY_REQUEST = "Empty request";
  static final String RATE_LIMITED = "Rate limited";
  static final String RESPONSE_TIMED_OUT = "Response timed out";
  static final String SHUTTING_DOWN = "Shutting down";
  static final String TOO_MANY_REQUESTS = "Too many concurrent requests";
  private static final byte[] TOO_MANY_REQUESTS_BYTES =
      TOO_MANY_REQUESTS.getBytes(StandardCharsets.UTF_8);

  /** Drops whatever arrives on a stream we refused. */
  private static final StreamHandler DISCARD =
      new StreamHandler() {
        @Override
        public void onData(MuxedStream stream, ByteBuf data) {
          data.release();
        }
      };

  private final ReqRespConfig cfg;
  private final Scheduler sched;
  private final ReqRespListener listener;
  private final StreamOpener opener;
  private final ResponseChannels budgets;
  private boolean responseReadsPaused;

  private final Map<Long, OutboundRequest> requests = new LinkedHashMap<>();
  /** Host-visible inbound channels (opened and not finished). */
  private final Map<Long, InboundChannel> channels = new HashMap<>();
  private final Map<PeerId, PeerState> peers = new HashMap<>();
  private final Set<InboundChannel> inbound = new LinkedHashSet<>();
  private long nextChannelId = 1;
  private boolean closed;

  // counters (loop-confined)
  private long requestsAccepted;
  private long requestsRefusedConcurrent;
  private long requestsRefusedInvalid;
  private long requestsEnded;
  private long requestsFailed;
  private long requestTimeouts;
  private long requestProtocolViolations;
  private long requestWireErrors;
  private long responseChunksReceived;
  private long inboundStreams;
  private long inboundRefusedConcurrent;
  private long inboundRateLimited;
  private long inboundInvalid;
  private long inboundReadTimeouts;
  private long channelsOpened;
  private long channelsExpired;
  private long channelsReset;
  private long responseChunksSent;
  private long errorChunksSent;
  private long channelQueueFull;
  private long channelCallsRejected;
  private long requestsAborted;

  public ReqResp(
      ReqRespConfig cfg, Scheduler sched, ReqRespListener listener, StreamOpener opener) {
    this(cfg, sched, listener, opener, new ResponseChannels(cfg.maxQueuedBytesPerChannel()));
  }

  /**
   * @param budgets the channels' byte budgets, shared with the threads that reserve against them
   *     (its bound should be {@code cfg.maxQueuedBytesPerChannel()})
   */
  public ReqResp(
      ReqRespConfig cfg, Scheduler sched, ReqRespListener listener, StreamOpener opener, ResponseChannels budgets) {
    this.cfg = Objects.requireNonNull(cfg);
    this.sched = Objects.requireNonNull(sched);
    this.listener = Objects.requireNonNull(listener);
    this.opener = Objects.requireNonNull(opener);
    this.budgets = Objects.requireNonNull(budgets);
  }

  /** The open channels and their byte budgets (thread-safe). */
  public ResponseChannels channels() {
    return budgets;
  }

  /** Per-peer bookkeeping: outbound in flight, inbound active, rate buckets. */
  private final class PeerState {
    int outbound;
    int inbound;
    final Map<LeanProtocol, TokenBucket> requestBuckets = new EnumMap<>(LeanProtocol.class);
    final Map<LeanProtocol, TokenBucket> blockBuckets = new EnumMap<>(LeanProtocol.class);

    TokenBucket requests(LeanProtocol p) {
      return requestBuckets.computeIfAbsent(p, k -> new TokenBucket(cfg.requestRate(), sched.nanoTime()));
    }

    TokenBucket blocks(LeanProtocol p) {
      return blockBuckets.computeIfAbsent(p, k -> new TokenBucket(cfg.blockRate(), sched.nanoTime()));
    }
  }

  private PeerState peer(PeerId id) {
    return peers.computeIfAbsent(id, k -> new PeerState());
  }

  // ===================================================================== requester

  /**
   * Sends a request. {@code requestId} is the caller's (unique among in-flight requests); {@code
   * ssz} is the request's SSZ and is taken over (do not modify it). If ACCEPTED, exactly one
   * terminal callback follows, never from inside this call.
   */
  public RequestOutcome request(long requestId, PeerId peer, LeanProtocol protocol, byte[] ssz) {
    if (closed) {
      return RequestOutcome.CLOSED;
    }
    if (peer == null || protocol == null || ssz == null || ssz.length > cfg.maxPayload()) {
      requestsRefusedInvalid++;
      return RequestOutcome.INVALID;
    }
    if (requests.containsKey(requestId)) {
      return RequestOutcome.DUPLICATE_ID;
    }
    int maxChunks;
    try {
      maxChunks = maxChunks(protocol, ssz);
    } catch (RequestRules.Invalid e) {
      requestsRefusedInvalid++;
      return RequestOutcome.INVALID;
    }
    PeerState ps = peer(peer);
    if (ps.outbound >= cfg.maxConcurrentPerPeer()) {
      requestsRefusedConcurrent++;
      return RequestOutcome.TOO_MANY_CONCURRENT;
    }
    ps.outbound++;
    requestsAccepted++;
    OutboundRequest r = new OutboundRequest(requestId, peer, protocol, ssz, maxChunks);
    requests.put(requestId, r);
    r.start();
    return RequestOutcome.ACCEPTED;
  }

  /** One outbound request: the select callback and then the stream handler of its stream. */
  private final class OutboundRequest implements StreamHandler, StreamNegotiator.SelectCallback {
    final long id;
    final PeerId peer;
    final LeanProtocol protocol;
    byte[] ssz; // dropped once written
    final int maxChunks;
    final ResponseDecoder decoder;
    Scheduler.Cancellable timer;
    MuxedStream stream;
    int chunks;
    boolean done;

    OutboundRequest(long id, PeerId peer, LeanProtocol protocol, byte[] ssz, int maxChunks) {
      this.id = id;
      this.peer = peer;
      this.protocol = protocol;
      this.ssz = ssz;
      this.maxChunks = maxChunks;
      this.decoder = new ResponseDecoder(cfg.maxPayload());
    }

    void start() {
      timer =
          sched.schedule(
              cfg.requestTimeout().toNanos(),
              () ->
                  fail(
                      RequestError.of(
                          RequestError.Kind.TIMEOUT,
                          "no complete response within " + cfg.requestTimeout().toMillis() + " ms")));
      // opened from a task so that no callback can run inside request()
      sched.schedule(
          0,
          () -> {
            if (done) {
              return;
            }
            try {
              opener.open(peer, protocol.id(), this);
            } catch (RuntimeException e) {
              LOG.debug("stream opener failed for request {}", id, e);
              fail(RequestError.of(RequestError.Kind.NOT_CONNECTED, "open failed: " + e));
            }
          });
    }

    @Override
    public void selected(MuxedStream s, String negotiated, ByteBuf leftover) {
      if (done) {
        leftover.release();
        s.reset();
        return;
      }
      stream = s;
      s.handler(this);
      if (responseReadsPaused) {
        s.setReadPaused(true);
      }
      ByteBuf out = s.alloc().buffer(ssz.length + 32);
      try {
        SszSnappy.encodeRequest(ssz, out);
        ssz = null;
      } catch (RuntimeException e) {
        out.release();
        leftover.release();
        fail(RequestError.of(RequestError.Kind.PROTOCOL_VIOLATION, "cannot encode request: " + e));
        return;
      }
      s.write(out)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  fail(RequestError.of(RequestError.Kind.STREAM_RESET, "request write failed"));
                }
              });
      s.closeWrite();
      if (leftover.isReadable() && !done) {
        onData(s, leftover);
      } else {
        leftover.release();
      }
    }

    @Override
    public void failed(MuxedStream s, String reason) {
      if (done) {
        return;
      }
      fail(
          RequestError.of(
              s == null ? RequestError.Kind.NOT_CONNECTED : RequestError.Kind.NEGOTIATION_FAILED,
              reason));
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      try {
        if (!done) {
          decoder.decode(data, this::onChunk);
        }
      } catch (DecodeException e) {
        violation("bad response chunk: " + e.getMessage());
      } finally {
        data.release();
      }
    }

    private void onChunk(ResponseChunk chunk) {
      if (done) {
        return;
      }
      if (chunk.code() == ResponseCode.SUCCESS) {
        if (++chunks > maxChunks) {
          violation("more than " + maxChunks + " response chunks");
          return;
        }
        responseChunksReceived++;
        try {
          listener.onResponseChunk(id, chunk.payload());
        } catch (RuntimeException e) {
          LOG.warn("listener onResponseChunk threw", e);
        }
      } else {
        requestWireErrors++;
        finish(RequestError.wire(chunk.wireCode(), chunk.code(), chunk.errorMessage()), true);
      }
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      if (done) {
        return;
      }
      if (decoder.atBoundary()) {
        finish(null, false);
      } else {
        violation("stream ended inside a response chunk");
      }
    }

    @Override
    public void onReset(MuxedStream s, String reason) {
      if (!done) {
        fail(RequestError.of(RequestError.Kind.STREAM_RESET, "stream reset: " + reason));
      }
    }

    void violation(String detail) {
      if (!done) {
        requestProtocolViolations++;
        finish(RequestError.of(RequestError.Kind.PROTOCOL_VIOLATION, detail), true);
      }
    }

    void fail(RequestError e) {
      if (!done) {
        if (e.kind() == RequestError.Kind.TIMEOUT) {
          requestTimeouts++;
        }
        finish(e, true);
      }
    }

    /** The one terminal path: bookkeeping first, then exactly one listener call. */
    void finish(RequestError error, boolean resetStream) {
      if (done) {
        return;
      }
      done = true;
      timer.cancel();
      requests.remove(id);
      PeerState ps = peers.get(peer);
      if (ps != null) {
        ps.outbound--;
      }
      if (resetStream && stream != null) {
        stream.reset();
      }
      try {
        if (error == null) {
          requestsEnded++;
          listener.onEndOfStream(id);
        } else {
          requestsFailed++;
          listener.onRequestFailed(id, error);
        }
      } catch (RuntimeException e) {
        LOG.warn("listener threw on the terminal event of request {}", id, e);
      }
    }
  }

  // ===================================================================== responder

  /** The multistream handler serving {@code protocol} on inbound streams. */
  public ProtocolHandler inboundHandler(LeanProtocol protocol) {
    Objects.requireNonNull(protocol);
    return (stream, leftover) -> onInboundStream(protocol, stream, leftover);
  }

  private void onInboundStream(LeanProtocol protocol, MuxedStream stream, ByteBuf leftover) {
    inboundStreams++;
    if (closed) {
      leftover.release();
      stream.reset();
      return;
    }
    PeerId peerId = stream.connection() == null ? null : stream.connection().remotePeer();
    PeerState ps = peer(peerId);
    if (ps.inbound >= cfg.maxInboundPerPeer() || inbound.size() >= cfg.maxInboundTotal()) {
      // refused without reading: one small error chunk and FIN; no state is kept
      inboundRefusedConcurrent++;
      leftover.release();
      stream.handler(DISCARD);
      ByteBuf out = stream.alloc().buffer(64);
      SszSnappy.encodeResponseChunk(ResponseCode.RESOURCE_UNAVAILABLE, TOO_MANY_REQUESTS_BYTES, out);
      stream.write(out);
      stream.closeWrite();
      errorChunksSent++;
      return;
    }
    ps.inbound++;
    InboundChannel ch = new InboundChannel(protocol, stream, peerId);
    inbound.add(ch);
    ch.start(leftover);
  }

  private enum ChannelState {
    READING,
    OPEN,
    FINISHING,
    DONE
  }

  /** An item waiting for writability: a SUCCESS payload (its bytes reserved) or an error message. */
  private record Pending(ResponseCode code, byte[] payload) {}

  /** One inbound request stream, from the first byte to the last written byte. */
  private final class InboundChannel implements StreamHandler {
    final LeanProtocol protocol;
    final MuxedStream stream;
    final PeerId peer;
    final RequestDecoder decoder;
    /** The request's length prefix as received, to tell "over 10 MiB" from "over the type's size". */
    final byte[] prefix = new byte[10];
    int prefixLen;
    boolean prefixDone;
    final ArrayDeque<Pending> queue = new ArrayDeque<>();
    ChannelState state = ChannelState.READING;
    long channelId;
    int maxChunks;
    int chunksAccepted;
    boolean ending;
    boolean refusedFull;
    boolean flushing;
    Scheduler.Cancellable idle;

    InboundChannel(LeanProtocol protocol, MuxedStream stream, PeerId peer) {
      this.protocol = protocol;
      this.stream = stream;
      this.peer = peer;
      // limited to the protocol's largest valid request: a peer cannot make us allocate more
      this.decoder =
          new RequestDecoder(Math.min(cfg.maxPayload(), maxRequestSize(protocol)));
    }

    void start(ByteBuf leftover) {
      stream.handler(this);
      armIdle();
      if (leftover.isReadable()) {
        onData(stream, leftover);
      } else {
        leftover.release();
      }
    }

    void armIdle() {
      if (idle != null) {
        idle.cancel();
      }
      idle = sched.schedule(cfg.responderIdleTimeout().toNanos(), this::onIdle);
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      try {
        if (state != ChannelState.READING) {
          return; // bytes after the request (or after we finished): ignored
        }
        notePrefix(data);
        byte[] ssz;
        try {
          ssz = decoder.decode(data);
        } catch (DecodeException e) {
          LOG.debug("undecodable {} request: {}", protocol, e.getMessage());
          inboundInvalid++;
          reject(ResponseCode.INVALID_REQUEST, codecFailureMessage(e));
          return;
        }
        if (ssz != null) {
          onRequest(ssz);
        }
      } finally {
        data.release();
      }
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      if (state == ChannelState.READING) {
        inboundInvalid++;
        reject(ResponseCode.INVALID_REQUEST, EMPTY_REQUEST);
      }
    }

    @Override
    public void onReset(MuxedStream s, String reason) {
      if (state != ChannelState.DONE) {
        channelsReset++;
        lost("stream reset: " + reason, false);
      }
    }

    @Override
    public void onWritabilityChanged(MuxedStream s) {
      if (state == ChannelState.OPEN || state == ChannelState.FINISHING) {
        flush();
      }
    }

    private void notePrefix(ByteBuf data) {
      for (int i = data.readerIndex(); !prefixDone && i < data.writerIndex(); i++) {
        byte b = data.getByte(i);
        if (prefixLen < prefix.length) {
          prefix[prefixLen++] = b;
        }
        prefixDone = (b & 0x80) == 0 || prefixLen == prefix.length;
      }
    }

    /**
     * The answer to a request the codec refused. The spec answers "Empty request" when the
     * declared length is over the payload limit or the framing is bad, and "Invalid <Type>
     * message" when a length within the limit fails SSZ decoding. We keep the spec's words except
     * for a declared length over the payload limit, which says what is wrong (issue #14: a
     * request declaring 1 GiB was answered "Empty request"). A declared length within the limit
     * but over the type's largest request would be read in full by the spec and fail SSZ
     * decoding: we stop at the type's size (no large allocation) and give the spec's answer.
     */
    private String codecFailureMessage(DecodeException e) {
      if (e.reason() != DecodeException.Reason.TOO_LARGE || prefixLen == 0) {
        return EMPTY_REQUEST;
      }
      // the length (or, when the prefix was cut short by the refusal, a lower bound of it)
      long v = 0;
      for (int i = 0; i < prefixLen && i < 9; i++) {
        v |= (long) (prefix[i] & 0x7f) << (7 * i);
        if ((prefix[i] & 0x80) == 0) {
          break;
        }
      }
      boolean exact = prefixDone && (prefix[prefixLen - 1] & 0x80) == 0;
      if (prefixLen > 9 || v > cfg.maxPayload()) {
        return SszSnappy.requestTooLargeMessage(prefixLen > 9 ? -1 : v, exact, cfg.maxPayload());
      }
      // within the type's size the limit hit was the compressed-bytes bound: "Empty request"
      return !exact || v <= maxRequestSize(protocol)
          ? EMPTY_REQUEST
          : RequestRules.invalidMessage(protocol);
    }

    private void onRequest(byte[] ssz) {
      try {
        maxChunks = maxChunks(protocol, ssz);
      } catch (RequestRules.Invalid e) {
        inboundInvalid++;
        reject(ResponseCode.INVALID_REQUEST, e.getMessage());
        return;
      }
      PeerState ps = peer(peer);
      TokenBucket reqBucket = ps.requests(protocol);
      long now = sched.nanoTime();
      if (!reqBucket.tryTake(1, now)) {
        inboundRateLimited++;
        reject(ResponseCode.RESOURCE_UNAVAILABLE, RATE_LIMITED);
        return;
      }
      long blocks = RequestRules.requestedBlocks(protocol, maxChunks);
      if (blocks > 0 && !ps.blocks(protocol).tryTake(blocks, now)) {
        reqBucket.giveBack(1);
        inboundRateLimited++;
        reject(ResponseCode.RESOURCE_UNAVAILABLE, RATE_LIMITED);
        return;
      }
      state = ChannelState.OPEN;
      channelId = nextChannelId++;
      channels.put(channelId, this);
      budgets.open(channelId); // before the host can hear of it
      channelsOpened++;
      armIdle();
      try {
        listener.onInboundRequest(channelId, peer, protocol, ssz);
      } catch (RuntimeException e) {
        LOG.warn("listener onInboundRequest threw; answering Internal error", e);
        if (state == ChannelState.OPEN) {
          hostError(ResponseCode.SERVER_ERROR, "Internal error");
        }
      }
    }

    /** Answers with one error chunk and FIN without involving the host. */
    private void reject(ResponseCode code, String message) {
      state = ChannelState.FINISHING;
      queue.add(new Pending(code, errorBytes(message)));
      ending = true;
      flush();
    }

    /** A chunk whose bytes are already reserved in the channel's budget. */
    ChannelOutcome chunk(byte[] ssz) {
      if (chunksAccepted >= maxChunks) {
        budgets.release(channelId, ssz.length);
        return ChannelOutcome.TOO_MANY_CHUNKS;
      }
      chunksAccepted++;
      queue.add(new Pending(ResponseCode.SUCCESS, ssz));
      armIdle();
      flush();
      return ChannelOutcome.OK;
    }

    void end() {
      state = ChannelState.FINISHING;
      channels.remove(channelId);
      budgets.close(channelId);
      ending = true;
      armIdle();
      flush();
    }

    void hostError(ResponseCode code, String message) {
      // the terminal error chunk may exceed the queue bound by one
      queue.add(new Pending(code, errorBytes(message)));
      end();
    }

    private void flush() {
      if (flushing) {
        return; // a host call from a callback below: the loop here picks its chunk up
      }
      flushing = true;
      try {
        while (true) {
          boolean progress = false;
          while (!queue.isEmpty() && stream.isWritable() && state != ChannelState.DONE) {
            if (!writeOne(queue.poll())) {
              return;
            }
            progress = true;
          }
          if (state == ChannelState.DONE) {
            return;
          }
          if (queue.isEmpty() && ending) {
            stream.closeWrite();
            done();
            return;
          }
          if (progress) {
            armIdle();
          }
          if (queue.isEmpty() && refusedFull && state == ChannelState.OPEN) {
            refusedFull = false;
            try {
              listener.onChannelDrained(channelId);
            } catch (RuntimeException e) {
              LOG.warn("listener onChannelDrained threw", e);
            }
            if (!queue.isEmpty() || ending) {
              continue;
            }
          }
          return;
        }
      } finally {
        flushing = false;
      }
    }

    private boolean writeOne(Pending p) {
      ByteBuf out = stream.alloc().buffer(p.payload().length + 32);
      try {
        SszSnappy.encodeResponseChunk(p.code(), p.payload(), out);
      } catch (RuntimeException e) {
        out.release();
        LOG.warn("cannot encode a response chunk on channel {}", channelId, e);
        lost("encode failure", true);
        return false;
      }
      stream.write(out);
      if (p.code() == ResponseCode.SUCCESS) {
        budgets.release(channelId, p.payload().length); // the stream took it
        responseChunksSent++;
      } else {
        errorChunksSent++;
      }
      return true;
    }

    private void onIdle() {
      switch (state) {
        case READING -> {
          inboundReadTimeouts++;
          lost("request not complete in time", true);
        }
        case OPEN -> {
          channelsExpired++;
          notifyClosed("expired: no response within " + cfg.responderIdleTimeout().toMillis() + " ms");
          hostError(ResponseCode.SERVER_ERROR, RESPONSE_TIMED_OUT);
        }
        case FINISHING -> lost("remote does not read the response", true);
        case DONE -> {}
      }
    }

    /** Ends the channel without a proper response; resets the stream if asked. */
    void lost(String reason, boolean reset) {
      boolean hostVisible = state == ChannelState.OPEN;
      done();
      if (reset) {
        stream.reset();
      }
      if (hostVisible) {
        notifyClosed(reason);
      }
    }

    private void notifyClosed(String reason) {
      channels.remove(channelId);
      budgets.close(channelId);
      try {
        listener.onChannelClosed(channelId, reason);
      } catch (RuntimeException e) {
        LOG.warn("listener onChannelClosed threw", e);
      }
    }

    private void done() {
      if (state == ChannelState.DONE) {
        return;
      }
      state = ChannelState.DONE;
      queue.clear();
      if (idle != null) {
        idle.cancel();
      }
      if (channelId != 0) {
        channels.remove(channelId);
        budgets.close(channelId);
      }
      if (inbound.remove(this)) {
        PeerState ps = peers.get(peer);
        if (ps != null) {
          ps.inbound--;
        }
      }
    }
  }

  private static byte[] errorBytes(String message) {
    byte[] b = message.getBytes(StandardCharsets.UTF_8);
    return b.length <= SszSnappy.MAX_ERROR_MESSAGE ? b : Arrays.copyOf(b, SszSnappy.MAX_ERROR_MESSAGE);
  }

  private ChannelOutcome rejectCall(long channelId) {
    channelCallsRejected++;
    return channelId >= 1 && channelId < nextChannelId
        ? ChannelOutcome.CHANNEL_FINISHED
        : ChannelOutcome.UNKNOWN_CHANNEL;
  }

  /**
   * Sends one SUCCESS chunk on an inbound request's channel. {@code ssz} is taken over (do not
   * modify it). Written at once when the stream is writable, else queued; when the channel's byte
   * budget is full the answer is {@link ChannelOutcome#QUEUE_FULL} and {@link
   * ReqRespListener#onChannelDrained} follows once the queue is written.
   */
  public ChannelOutcome sendChunk(long channelId, byte[] ssz) {
    if (closed) {
      return ChannelOutcome.CLOSED;
    }
    if (ssz == null || ssz.length > cfg.maxPayload()) {
      return ChannelOutcome.INVALID;
    }
    InboundChannel ch = channels.get(channelId);
    if (ch == null) {
      return rejectCall(channelId);
    }
    if (budgets.tryReserve(channelId, ssz.length) != ResponseChannels.Reservation.OK) {
      channelQueueFull++;
      ch.refusedFull = true;
      return ChannelOutcome.QUEUE_FULL;
    }
    return ch.chunk(ssz);
  }

  /**
   * Like {@link #sendChunk}, for a chunk whose bytes a host thread already reserved in {@link
   * #channels()}: it always fits. When the channel is gone meanwhile the answer says so (the
   * reservation went with the channel).
   */
  public ChannelOutcome sendReservedChunk(long channelId, byte[] ssz) {
    if (closed) {
      return ChannelOutcome.CLOSED;
    }
    InboundChannel ch = channels.get(channelId);
    if (ch == null) {
      return rejectCall(channelId);
    }
    return ch.chunk(ssz);
  }

  /** Ends the response: FIN after the queued chunks are written. */
  public ChannelOutcome endResponse(long channelId) {
    if (closed) {
      return ChannelOutcome.CLOSED;
    }
    InboundChannel ch = channels.get(channelId);
    if (ch == null) {
      return rejectCall(channelId);
    }
    ch.end();
    return ChannelOutcome.OK;
  }

  /**
   * Ends the response with an error chunk (after the queued chunks) and FIN. The message is sent
   * as UTF-8 cut to 256 bytes (at the byte level, as the spec does).
   */
  public ChannelOutcome sendError(long channelId, ResponseCode code, String message) {
    if (closed) {
      return ChannelOutcome.CLOSED;
    }
    if (code == null || code == ResponseCode.SUCCESS || message == null) {
      return ChannelOutcome.INVALID;
    }
    InboundChannel ch = channels.get(channelId);
    if (ch == null) {
      return rejectCall(channelId);
    }
    ch.hostError(code, message);
    return ChannelOutcome.OK;
  }

  // ===================================================================== lifecycle

  /**
   * The peer's connections are gone: its in-flight requests end with one DISCONNECTED error each,
   * its inbound channels are closed ({@link ReqRespListener#onChannelClosed}) and its rate
   * buckets are forgotten.
   */
  public void peerDisconnected(PeerId peer) {
    for (OutboundRequest r : new ArrayList<>(requests.values())) {
      if (r.peer.equals(peer)) {
        r.fail(RequestError.of(RequestError.Kind.DISCONNECTED, "peer disconnected"));
      }
    }
    for (InboundChannel ch : new ArrayList<>(inbound)) {
      if (Objects.equals(ch.peer, peer)) {
        channelsReset++;
        ch.lost("peer disconnected", true);
      }
    }
    PeerState ps = peers.get(peer);
    if (ps != null && ps.outbound == 0 && ps.inbound == 0) {
      peers.remove(peer);
    }
  }

  /**
   * Pauses (or resumes) reading every response stream of our requests, present and future: the
   * remotes are flow-controlled while the host catches up.
   */
  public void pauseResponseReads(boolean paused) {
    if (paused == responseReadsPaused) {
      return;
    }
    responseReadsPaused = paused;
    for (OutboundRequest r : requests.values()) {
      if (r.stream != null) {
        r.stream.setReadPaused(paused);
      }
    }
  }

  /**
   * Ends an in-flight request at once with {@link RequestError.Kind#SHED} (its stream is reset):
   * for a node whose host cannot take the response. No-op when the request is not in flight.
   */
  public void abort(long requestId, String why) {
    OutboundRequest r = requests.get(requestId);
    if (r != null) {
      requestsAborted++;
      r.fail(RequestError.of(RequestError.Kind.SHED, why));
    }
  }

  /**
   * Closes the service; idempotent. Every in-flight request ends with one CLOSED error, every
   * inbound stream is reset (open channels get {@link ReqRespListener#onChannelClosed}); later
   * calls answer CLOSED.
   */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (OutboundRequest r : new ArrayList<>(requests.values())) {
      r.fail(RequestError.of(RequestError.Kind.CLOSED, "req/resp closed"));
    }
    for (InboundChannel ch : new ArrayList<>(inbound)) {
      ch.lost(SHUTTING_DOWN, true);
    }
  }

  /** Whether the request is in flight (accepted, no terminal event yet). */
  public boolean isInFlight(long requestId) {
    return requests.containsKey(requestId);
  }

  /** The ids of the in-flight requests to {@code peer}. */
  public List<Long> inFlight(PeerId peer) {
    List<Long> out = new ArrayList<>();
    for (OutboundRequest r : requests.values()) {
      if (r.peer.equals(peer)) {
        out.add(r.id);
      }
    }
    return out;
  }

  /** An immutable copy of the counters. */
  /** The request rules, except that {@code opaqueStatus} takes any Status payload (test services). */
  private int maxChunks(LeanProtocol protocol, byte[] ssz) throws RequestRules.Invalid {
    if (protocol == LeanProtocol.STATUS && cfg.opaqueStatus()) {
      return 1;
    }
    return RequestRules.maxChunks(protocol, ssz);
  }

  private int maxRequestSize(LeanProtocol protocol) {
    if (protocol == LeanProtocol.STATUS && cfg.opaqueStatus()) {
      return cfg.maxPayload();
    }
    return RequestRules.maxRequestSize(protocol);
  }

  public ReqRespSnapshot snapshot() {
    return new ReqRespSnapshot(
        requestsAccepted,
        requestsRefusedConcurrent,
        requestsRefusedInvalid,
        requestsEnded,
        requestsFailed,
        requestTimeouts,
        requestProtocolViolations,
        requestWireErrors,
        responseChunksReceived,
        requests.size(),
        inboundStreams,
        inboundRefusedConcurrent,
        inboundRateLimited,
        inboundInvalid,
        inboundReadTimeouts,
        channelsOpened,
        channelsExpired,
        channelsReset,
        responseChunksSent,
        errorChunksSent,
        channelQueueFull,
        channelCallsRejected,
        requestsAborted,
        inbound.size());
  }
}
