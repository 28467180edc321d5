package io.leanp2p.node.swarm;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.leanp2p.transport.ConnectionException;
import io.leanp2p.config.DnsResolver;
import io.leanp2p.transport.Transport;
import io.leanp2p.util.Scheduler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Dials for the {@link Swarm}: refuses what cannot work before any I/O (self, no transport, a
 * missing {@code /p2p/} when required), resolves {@code /dns*} names off the event loop through
 * the injected {@link DnsResolver} (the answer hops back onto the loop), shares one attempt between
 * concurrent dials of one peer, and hands the resolved address to the transport. A failure
 * completes the future with a {@link ConnectionException} whose reason says what happened:
 * {@code UNRESOLVABLE}, {@code CONNECTION_REFUSED}, {@code TIMEOUT}, {@code HANDSHAKE_FAILED},
 * {@code PEER_ID_MISMATCH}, {@code REFUSED} (before any I/O), ... Event loop only.
 */
final class Dialer {
  private final PeerId self;
  private final List<Transport> transports;
  private final Scheduler sched;
  private final Executor loop;
  private final SwarmConfig cfg;
  private final Map<PeerId, Promise<Connection>> dialing = new HashMap<>();

  Dialer(PeerId self, List<Transport> transports, Scheduler sched, Executor loop, SwarmConfig cfg) {
    this.self = self;
    this.transports = transports;
    this.sched = sched;
    this.loop = loop;
    this.cfg = cfg;
  }

  /**
   * Starts a dial; the future completes (on the loop) with the new secured connection, or fails
   * with a {@link ConnectionException}. Concurrent dials of one {@code /p2p/} peer share one.
   */
  Future<Connection> dial(Multiaddr addr, Duration timeout) {
    PeerId expected = PeerId.fromMultiaddr(addr).orElse(null);
    if (expected == null && cfg.requirePeerIdOnDial()) {
      return refused("address has no /p2p/<peer id>");
    }
    if (self.equals(expected)) {
      return refused("dial to self");
    }
    if (expected != null && dialing.containsKey(expected)) {
      return dialing.get(expected);
    }
    Transport transport = transportFor(addr);
    if (transport == null) {
      return refused("no transport for " + addr);
    }
    Promise<Connection> result = ImmediateEventExecutor.INSTANCE.newPromise();
    if (expected != null) {
      dialing.put(expected, result);
      result.addListener(f -> dialing.remove(expected, result));
    }
    if (addr.isDns()) {
      resolveThenDial(addr, expected, transport, timeout, result);
    } else {
      dialResolved(transport, addr, expected, timeout, result);
    }
    return result;
  }

  private Transport transportFor(Multiaddr addr) {
    for (Transport t : transports) {
      if (t.handles(addr)) {
        return t;
      }
    }
    return null;
  }

  private void resolveThenDial(
      Multiaddr addr, PeerId expected, Transport transport, Duration timeout, Promise<Connection> result) {
    String name = addr.components().get(0).textValue();
    DnsResolver.Family family = switch (addr.components().get(0).protocol()) {
      case DNS4 -> DnsResolver.Family.IPV4;
      case DNS6 -> DnsResolver.Family.IPV6;
      default -> DnsResolver.Family.ANY;
    };
    long started = sched.nanoTime();
    Scheduler.Cancellable timer = sched.schedule(timeout.toNanos(), () -> fail(result,
        CloseReason.of(CloseReason.Kind.TIMEOUT, "DNS lookup of " + name + " not answered within " + timeout.toMillis() + " ms")));
    try {
      cfg.dnsResolver().resolve(name, family).whenComplete((ips, err) -> loop.execute(() -> {
        timer.cancel();
        if (result.isDone()) {
          return;
        }
        if (err != null || ips == null || ips.isEmpty()) {
          fail(result, CloseReason.of(CloseReason.Kind.UNRESOLVABLE, "cannot resolve " + name + " ("
              + family.name().toLowerCase() + "): " + (err != null ? err : "no address")));
          return;
        }
        InetAddress ip = ips.get(0);
        Duration left = timeout.minusNanos(sched.nanoTime() - started);
        dialResolved(transport, addr.withResolvedHost(ip), expected, left.isNegative() ? Duration.ofMillis(1) : left, result);
      }));
    } catch (RuntimeException e) {
      timer.cancel();
      fail(result, CloseReason.of(CloseReason.Kind.UNRESOLVABLE, "cannot resolve " + name + ": " + e));
    }
  }

  private void dialResolved(
      Transport transport, Multiaddr addr, PeerId expected, Duration timeout, Promise<Connection> result) {
    Future<Connection> f;
    try {
      f = transport.dial(addr, expected, timeout);
    } catch (RuntimeException e) {
      fail(result, CloseReason.of(CloseReason.Kind.REFUSED, "cannot dial " + addr + ": " + e.getMessage()));
      return;
    }
    f.addListener(x -> {
      if (x.isSuccess()) {
        result.trySuccess((Connection) x.getNow());
      } else {
        Throwable t = x.cause();
        fail(result, t instanceof ConnectionException ce
            ? ce.reason()
            : CloseReason.of(CloseReason.Kind.IO_ERROR, String.valueOf(t.getMessage())));
      }
    });
  }

  private static void fail(Promise<Connection> p, CloseReason r) {
    p.tryFailure(new ConnectionException(r));
  }

  private static Future<Connection> refused(String why) {
    return ImmediateEventExecutor.INSTANCE.newFailedFuture(
        new ConnectionException(CloseReason.of(CloseReason.Kind.REFUSED, why)));
  }
}
