package io.leanp2p.protocol.reqresp;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.testing.MemoryStreams;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Java↔Java req/resp over {@link MemoryStreams} connections with real multistream-select, under a
 * {@link VirtualScheduler}. Each {@link Node} has a {@link ReqResp}, a recording listener and a
 * pluggable host.
 */
final class ReqRespHarness {
  static final long NEGOTIATION_TIMEOUT_MS = 5_000;

  final VirtualScheduler sched = new VirtualScheduler();
  final MemoryStreams.Options opts;
  private int nextPeer = 1;

  ReqRespHarness(MemoryStreams.Options opts) {
    this.opts = opts;
  }

  ReqRespHarness() {
    this(MemoryStreams.Options.defaults());
  }

  static PeerId peerId(int n) {
    byte[] mh = new byte[34];
    mh[0] = 0x12;
    mh[1] = 0x20;
    mh[2] = (byte) n;
    mh[3] = (byte) (n >> 8);
    try {
      return PeerId.fromBytes(mh);
    } catch (DecodeException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the host does with an inbound request. */
  interface Host {
    void onRequest(Node self, long channelId, PeerId peer, LeanProtocol p, byte[] ssz);
  }

  /** One event seen by a node's listener. */
  record Event(String kind, long id, byte[] data, RequestError error) {}

  final class Node implements ReqRespListener, StreamOpener {
    final PeerId id = peerId(nextPeer++);
    final ReqResp rr;
    final ProtocolRegistry registry = new ProtocolRegistry();
    final Map<PeerId, MemoryStreams.MemoryConnection> conns = new HashMap<>();
    final Map<Long, List<Event>> byRequest = new LinkedHashMap<>();
    final List<Event> channelEvents = new ArrayList<>();
    Host host = (self, ch, peer, p, ssz) -> {};
    Consumer<Long> onDrained = ch -> {};
    boolean recordChunks = true;
    java.util.function.BiConsumer<Long, byte[]> onChunk = (id, ssz) -> {};

    Node(ReqRespConfig cfg) {
      rr = new ReqResp(cfg, sched, this, this);
      for (LeanProtocol p : LeanProtocol.values()) {
        registry.register(p.id(), rr.inboundHandler(p));
      }
    }

    // -- StreamOpener
    @Override
    public void open(PeerId peer, String protocolId, StreamNegotiator.SelectCallback cb) {
      var c = conns.get(peer);
      if (c == null || !c.isOpen()) {
        cb.failed(null, "not connected");
        return;
      }
      var f = c.openStream();
      if (!f.isSuccess()) {
        cb.failed(null, "open failed");
        return;
      }
      StreamNegotiator.select(f.getNow(), List.of(protocolId), sched, NEGOTIATION_TIMEOUT_MS, cb);
    }

    // -- listener
    private List<Event> events(long id) {
      return byRequest.computeIfAbsent(id, k -> new ArrayList<>());
    }

    @Override
    public void onResponseChunk(long requestId, byte[] ssz) {
      onChunk.accept(requestId, ssz);
      events(requestId).add(new Event("chunk", requestId, recordChunks ? ssz : null, null));
    }

    @Override
    public void onEndOfStream(long requestId) {
      events(requestId).add(new Event("eos", requestId, null, null));
    }

    @Override
    public void onRequestFailed(long requestId, RequestError error) {
      events(requestId).add(new Event("failed", requestId, null, error));
    }

    @Override
    public void onInboundRequest(long channelId, PeerId peer, LeanProtocol p, byte[] ssz) {
      channelEvents.add(new Event("request", channelId, ssz, null));
      host.onRequest(this, channelId, peer, p, ssz);
    }

    @Override
    public void onChannelClosed(long channelId, String reason) {
      channelEvents.add(new Event("closed:" + reason, channelId, null, null));
    }

    @Override
    public void onChannelDrained(long channelId) {
      onDrained.accept(channelId);
    }

    List<Event> eventsOf(long requestId) {
      return byRequest.getOrDefault(requestId, List.of());
    }

    /** The terminal events of a request (must be exactly one, and last). */
    List<Event> terminals(long requestId) {
      return eventsOf(requestId).stream().filter(e -> !e.kind().equals("chunk")).toList();
    }

    List<byte[]> chunks(long requestId) {
      return eventsOf(requestId).stream()
          .filter(e -> e.kind().equals("chunk"))
          .map(Event::data)
          .toList();
    }
  }

  Node node(ReqRespConfig cfg) {
    return new Node(cfg);
  }

  /** Connects a (dialer) to b (listener), both ways usable. */
  void connect(Node a, Node b) {
    var pair = MemoryStreams.connections(sched, null, a.id, b.id, null, null, opts);
    a.conns.put(b.id, pair.dialer());
    b.conns.put(a.id, pair.listener());
    pair.dialer()
        .inboundStreamHandler(s -> StreamNegotiator.listen(s, a.registry, sched, NEGOTIATION_TIMEOUT_MS));
    pair.listener()
        .inboundStreamHandler(s -> StreamNegotiator.listen(s, b.registry, sched, NEGOTIATION_TIMEOUT_MS));
  }

  /** A raw client: negotiates {@code p} on a new stream from a to b and collects raw bytes. */
  final class RawClient implements StreamHandler, StreamNegotiator.SelectCallback {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    MuxedStream stream;
    boolean fin;
    boolean reset;
    String failed;
    private final byte[] toWrite;
    private final boolean closeAfterWrite;

    RawClient(Node a, Node b, LeanProtocol p, byte[] toWrite, boolean closeAfterWrite) {
      this.toWrite = toWrite;
      this.closeAfterWrite = closeAfterWrite;
      var f = a.conns.get(b.id).openStream();
      StreamNegotiator.select(f.getNow(), List.of(p.id()), sched, NEGOTIATION_TIMEOUT_MS, this);
    }

    @Override
    public void selected(MuxedStream s, String protocol, ByteBuf leftover) {
      stream = s;
      s.handler(this);
      onData(s, leftover);
      s.write(Unpooled.wrappedBuffer(toWrite));
      if (closeAfterWrite) {
        s.closeWrite();
      }
    }

    @Override
    public void failed(MuxedStream s, String reason) {
      failed = reason;
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      try {
        byte[] b = new byte[data.readableBytes()];
        data.readBytes(b);
        received.writeBytes(b);
      } finally {
        data.release();
      }
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      fin = true;
    }

    @Override
    public void onReset(MuxedStream s, String reason) {
      reset = true;
    }
  }

  /** Registers a raw responder for {@code p} on node b that answers every stream with {@code bytes}. */
  void rawResponder(Node b, LeanProtocol p, byte[] bytes, boolean fin) {
    b.registry.register(
        p.id(),
        (stream, leftover) -> {
          leftover.release();
          stream.handler(
              new StreamHandler() {
                @Override
                public void onData(MuxedStream s, ByteBuf data) {
                  data.release();
                }
              });
          stream.write(Unpooled.wrappedBuffer(bytes));
          if (fin) {
            stream.closeWrite();
          }
        });
  }
}
