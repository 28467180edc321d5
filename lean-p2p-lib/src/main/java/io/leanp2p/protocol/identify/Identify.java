package io.leanp2p.protocol.identify;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.PublicKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.multiformats.Varint;
import io.leanp2p.proto.IdentifyProto;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.ProtocolHandler;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * libp2p identify ({@code /ipfs/id/1.0.0}): the responder writes one varint-length-prefixed
 * {@code Identify} protobuf (protocols, listen addresses, the address it observed us at, agent
 * {@code lean-p2p/<version>}, its public key) and closes; the requester reads it, bounded by
 * {@link #MAX_MESSAGE}, and checks that the key matches the connection's PeerId.
 */
public final class Identify {
  public static final String PROTOCOL = "/ipfs/id/1.0.0";
  public static final String PROTOCOL_VERSION = "ipfs/0.1.0";
  /** Largest identify message accepted. */
  public static final int MAX_MESSAGE = 64 * 1024;

  private final PrivateKey identity;
  private final Supplier<List<Multiaddr>> listenAddrs;
  private final ProtocolRegistry registry;
  private final Scheduler sched;
  private final long timeoutMillis;
  private final String agentVersion;
  private long badAddrs;

  public Identify(
      PrivateKey identity,
      Supplier<List<Multiaddr>> listenAddrs,
      ProtocolRegistry registry,
      Scheduler sched,
      long timeoutMillis) {
    this.identity = identity;
    this.listenAddrs = listenAddrs;
    this.registry = registry;
    this.sched = sched;
    this.timeoutMillis = timeoutMillis;
    this.agentVersion = agent();
  }

  /** {@code lean-p2p/<implementation version>} ({@code 0.1.0} when not packaged). */
  public static String agent() {
    String v = Identify.class.getPackage().getImplementationVersion();
    return "lean-p2p/" + (v == null ? "0.1.0" : v);
  }

  /** Registers the responder in the registry given at construction. */
  public void register() {
    registry.register(PROTOCOL, responder());
  }

  /** The responder: answers each inbound identify stream with our message, then FIN. */
  public ProtocolHandler responder() {
    return (s, leftover) -> {
      leftover.release(); // the requester sends nothing
      s.handler(
          new StreamHandler() {
            @Override
            public void onData(MuxedStream st, ByteBuf data) {
              data.release();
            }
          });
      byte[] msg = message(s.connection()).toByteArray();
      ByteBuf out = s.alloc().buffer(msg.length + 5);
      Varint.write(msg.length, out);
      out.writeBytes(msg);
      s.write(out);
      s.closeWrite();
    };
  }

  /** Addresses in received messages that did not decode (owner thread). */
  public long badAddresses() {
    return badAddrs;
  }

  IdentifyProto.Identify message(Connection c) {
    IdentifyProto.Identify.Builder b =
        IdentifyProto.Identify.newBuilder()
            .setProtocolVersion(PROTOCOL_VERSION)
            .setAgentVersion(agentVersion)
            .setPublicKey(ByteString.copyFrom(identity.publicKey().toProtobuf()))
            .addAllProtocols(registry.protocols());
    for (Multiaddr a : listenAddrs.get()) {
      b.addListenAddrs(ByteString.copyFrom(a.toBytes()));
    }
    if (c != null && c.remoteAddress() != null) {
      b.setObservedAddr(ByteString.copyFrom(c.remoteAddress().withoutP2p().toBytes()));
    }
    return b.build();
  }

  /** Asks the remote of {@code c} who it is. */
  public Future<IdentifyInfo> identify(Connection c) {
    Promise<IdentifyInfo> result = ImmediateEventExecutor.INSTANCE.newPromise();
    Scheduler.Cancellable timer =
        sched.scheduleMillis(
            timeoutMillis, () -> result.tryFailure(new java.util.concurrent.TimeoutException("identify timed out")));
    result.addListener(f -> timer.cancel());
    StreamNegotiator.open(
        c,
        List.of(PROTOCOL),
        sched,
        timeoutMillis,
        new StreamNegotiator.SelectCallback() {
          @Override
          public void selected(MuxedStream st, String protocol, ByteBuf leftover) {
            if (result.isDone()) { // timed out meanwhile
              leftover.release();
              st.reset();
              return;
            }
            result.addListener(x -> {
              if (!x.isSuccess()) {
                st.reset();
              }
            });
            Reader r = new Reader(c.remotePeer(), result);
            st.handler(r);
            st.closeWrite();
            r.onData(st, leftover);
          }

          @Override
          public void failed(MuxedStream st, String reason) {
            result.tryFailure(new IllegalStateException("identify failed: " + reason));
          }
        });
    return result;
  }

  /** Reads one length-prefixed message, checking the length before buffering it. */
  private final class Reader implements StreamHandler {
    private final PeerId expected;
    private final Promise<IdentifyInfo> result;
    private ByteBuf cum;
    private long len = -1;

    Reader(PeerId expected, Promise<IdentifyInfo> result) {
      this.expected = expected;
      this.result = result;
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      if (result.isDone()) {
        data.release();
        return;
      }
      cum = cum == null ? data : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(s.alloc(), cum, data);
      try {
        if (len < 0) {
          len = Varint.tryRead(cum, MAX_MESSAGE);
        }
        if (len >= 0 && cum.readableBytes() >= len) {
          byte[] msg = new byte[(int) len];
          cum.readBytes(msg);
          result.trySuccess(decode(msg, expected));
        }
      } catch (DecodeException | InvalidProtocolBufferException e) {
        result.tryFailure(e);
        s.reset();
      } catch (IllegalStateException e) {
        result.tryFailure(e);
        s.reset();
      } finally {
        if (result.isDone() && cum != null) {
          cum.release();
          cum = null;
        }
      }
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      release();
      result.tryFailure(new IllegalStateException("identify stream ended before a whole message"));
    }

    @Override
    public void onReset(MuxedStream s, String reason) {
      release();
      result.tryFailure(new IllegalStateException("identify stream reset: " + reason));
    }

    private void release() {
      if (cum != null) {
        cum.release();
        cum = null;
      }
    }
  }

  IdentifyInfo decode(byte[] msg, PeerId expected) throws InvalidProtocolBufferException, DecodeException {
    IdentifyProto.Identify m = IdentifyProto.Identify.parseFrom(msg);
    PublicKey key = null;
    if (m.hasPublicKey()) {
      key = PublicKey.fromProtobuf(m.getPublicKey().toByteArray());
      if (expected != null && !expected.matches(key)) {
        throw new IllegalStateException("identify key does not match the connection's PeerId");
      }
    }
    List<Multiaddr> addrs = new ArrayList<>();
    for (ByteString a : m.getListenAddrsList()) {
      try {
        addrs.add(Multiaddr.fromBytes(a.toByteArray()));
      } catch (DecodeException e) {
        badAddrs++;
      }
    }
    Multiaddr observed = null;
    if (m.hasObservedAddr()) {
      try {
        observed = Multiaddr.fromBytes(m.getObservedAddr().toByteArray());
      } catch (DecodeException e) {
        badAddrs++;
      }
    }
    return new IdentifyInfo(
        key,
        List.copyOf(m.getProtocolsList()),
        List.copyOf(addrs),
        observed,
        m.getAgentVersion(),
        m.getProtocolVersion());
  }
}
