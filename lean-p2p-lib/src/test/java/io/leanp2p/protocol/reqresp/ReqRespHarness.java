package io.leanp2p.protocol.reqresp;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.testing.MemoryStreams;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionInfo;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.EnumCounters;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.config.YamuxConfig;
import io.leanp2p.transport.tcp.yamux.YamuxError;
import io.leanp2p.transport.tcp.yamux.YamuxSession;
import io.netty.channel.embedded.EmbeddedChannel;
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
import io.leanp2p.types.RequestError;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.config.ReqRespConfig;

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
    final Map<PeerId, Connection> conns = new HashMap<>();
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
      c.openStream()
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  cb.failed(null, "open failed: " + f.cause());
                  return;
                }
                StreamNegotiator.select(
                    (MuxedStream) f.getNow(), List.of(protocolId), sched, NEGOTIATION_TIMEOUT_MS, cb);
              });
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

  final List<EmbeddedChannel[]> yamuxLinks = new ArrayList<>();

  /**
   * Connects a (dialer) to b over real Yamux sessions (flow-controlled, 256 KiB windows) on two
   * EmbeddedChannels; {@link #pump()} moves the bytes.
   */
  void connectYamux(Node a, Node b, YamuxConfig cfg) {
    var errors = new EnumCounters<>(YamuxError.class);
    YamuxSession client = new YamuxSession(new ConnectionInfo(b.id, null, null, Direction.OUTBOUND), cfg, errors);
    YamuxSession server = new YamuxSession(new ConnectionInfo(a.id, null, null, Direction.INBOUND), cfg, errors);
    EmbeddedChannel cch = new EmbeddedChannel(client);
    EmbeddedChannel sch = new EmbeddedChannel(server);
    yamuxLinks.add(new EmbeddedChannel[] {cch, sch});
    a.conns.put(b.id, client);
    b.conns.put(a.id, server);
    client.inboundStreamHandler(s -> StreamNegotiator.listen(s, a.registry, sched, NEGOTIATION_TIMEOUT_MS));
    server.inboundStreamHandler(s -> StreamNegotiator.listen(s, b.registry, sched, NEGOTIATION_TIMEOUT_MS));
  }

  /** Runs due timers and moves Yamux bytes until nothing moves. */
  void pump() {
    boolean any = true;
    while (any) {
      any = false;
      sched.runDue();
      for (EmbeddedChannel[] l : yamuxLinks) {
        any |= move(l[0], l[1]);
        any |= move(l[1], l[0]);
      }
    }
  }

  private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
    boolean any = false;
    from.runPendingTasks();
    ByteBuf b;
    while ((b = from.readOutbound()) != null) {
      any = true;
      if (to.isActive()) {
        to.writeInbound(b);
      } else {
        b.release();
      }
    }
    return any;
  }

  /** Advances virtual time in steps, pumping in between. */
  void advancePumping(long millis, long stepMillis) {
    for (long t = 0; t < millis; t += stepMillis) {
      pump();
      sched.advanceMillis(stepMillis);
    }
    pump();
  }

  void finishYamux() {
    pump();
    for (EmbeddedChannel[] l : yamuxLinks) {
      l[0].finishAndReleaseAll();
      l[1].finishAndReleaseAll();
    }
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
