package io.leanp2p.testing;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.transport.Transport;
import io.leanp2p.types.TransportKind;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link Transport} over {@link MemoryStreams} connections, for swarm and service tests under a
 * {@link VirtualScheduler}: listeners get {@code /ip4/10.0.0.1/tcp/<n>} addresses in a shared
 * {@link Net}; a dial to one creates a connection pair that both transports announce one latency
 * later (dialer first, as the real transports announce before completing the dial). A dial to an
 * address nobody listens on fails CONNECTION_REFUSED; a proven peer other than the expected one
 * fails PEER_ID_MISMATCH. Single-threaded: everything runs on the scheduler.
 */
public final class MemoryTransport implements Transport {
  /** The shared in-memory network: who listens where. */
  public static final class Net {
    final VirtualScheduler sched;
    final MemoryStreams.Options opts;
    final Map<Multiaddr, MemoryTransport> listeners = new HashMap<>();
    int nextPort = 1000;

    public Net(VirtualScheduler sched, MemoryStreams.Options opts) {
      this.sched = sched;
      this.opts = opts;
    }

    public Net(VirtualScheduler sched) {
      this(sched, MemoryStreams.Options.defaults().latencyMillis(1));
    }
  }

  private final Net net;
  private final PeerId self;
  private final ConnectionListener listener;
  private Multiaddr bound;
  private boolean closed;

  public MemoryTransport(Net net, PeerId self, ConnectionListener listener) {
    this.net = net;
    this.self = self;
    this.listener = listener;
  }

  @Override
  public TransportKind kind() {
    return TransportKind.TCP;
  }

  @Override
  public boolean handles(Multiaddr addr) {
    return addr.isTcp();
  }

  @Override
  public Future<Multiaddr> listen(Multiaddr addr) {
    try {
      bound = Multiaddr.parse("/ip4/10.0.0.1/tcp/" + net.nextPort++);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    net.listeners.put(bound, this);
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(bound);
  }

  @Override
  public Future<Connection> dial(Multiaddr addr, PeerId expected, Duration timeout) {
    Promise<Connection> p = ImmediateEventExecutor.INSTANCE.newPromise();
    MemoryTransport remote = net.listeners.get(addr.withoutP2p());
    if (closed || remote == null || remote.closed) {
      return p.setFailure(new ConnectionException(
          CloseReason.of(CloseReason.Kind.CONNECTION_REFUSED, "nothing listens on " + addr)));
    }
    if (expected != null && !expected.equals(remote.self)) {
      return p.setFailure(new ConnectionException(
          CloseReason.of(CloseReason.Kind.PEER_ID_MISMATCH, "dialed " + expected + ", reached " + remote.self)));
    }
    Multiaddr mine;
    try {
      mine = Multiaddr.parse("/ip4/10.0.0.2/tcp/" + net.nextPort++).withP2p(self.toBytes());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    MemoryStreams.ConnectionPair pair = MemoryStreams.connections(
        net.sched, null, self, remote.self, mine, remote.bound.withP2p(remote.self.toBytes()), net.opts);
    net.sched.schedule(net.opts.latencyNanos(), () -> {
      if (closed || remote.closed) {
        pair.dialer().close("transport closed");
        p.tryFailure(new ConnectionException(CloseReason.of(CloseReason.Kind.IO_ERROR, "transport closed")));
        return;
      }
      listener.onConnection(pair.dialer());
      remote.listener.onConnection(pair.listener());
      p.trySuccess(pair.dialer());
    });
    return p;
  }

  /** This transport's listen address. */
  public Multiaddr bound() {
    return bound;
  }

  @Override
  public void close() {
    closed = true;
    if (bound != null) {
      net.listeners.remove(bound);
    }
  }
}
