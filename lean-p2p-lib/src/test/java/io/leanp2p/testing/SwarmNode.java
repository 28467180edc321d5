package io.leanp2p.testing;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.swarm.ConnectedPeer;
import io.leanp2p.node.swarm.Swarm;
import io.leanp2p.node.swarm.SwarmConfig;
import io.leanp2p.node.swarm.SwarmListener;
import io.leanp2p.types.CloseReason;
import io.leanp2p.transport.Connection;
import io.netty.util.concurrent.Future;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Swarm} over a {@link MemoryTransport} under virtual time: the "fake swarm" that swarm
 * and service tests run real peer tables, duplicate rules and streams on, deterministically. Its
 * listener records every peer event as text ({@code connected <peer>}, {@code disconnected <peer>
 * <reason kind>}, {@code dialFailed <reason kind>}).
 */
public final class SwarmNode {
  public final PrivateKey key = Secp256k1PrivateKey.generate(new SecureRandom());
  public final PeerId id = PeerId.fromPublicKey(key.publicKey());
  public final Swarm swarm;
  public final MemoryTransport transport;
  public final List<String> events = new ArrayList<>();
  public final List<CloseReason> dialFailures = new ArrayList<>();
  private final VirtualScheduler sched;
  private Multiaddr addr;

  public SwarmNode(MemoryTransport.Net net, VirtualScheduler sched, SwarmConfig cfg) {
    this.sched = sched;
    MemoryTransport[] made = new MemoryTransport[1];
    this.swarm = new Swarm(id, sched, r -> sched.schedule(0, r), cfg, listener -> {
      made[0] = new MemoryTransport(net, id, listener);
      return List.of(made[0]);
    });
    this.transport = made[0];
    swarm.setListener(new SwarmListener() {
      @Override
      public void peerConnected(ConnectedPeer p) {
        events.add("connected " + p.peer());
      }

      @Override
      public void peerDisconnected(ConnectedPeer p, CloseReason reason) {
        events.add("disconnected " + p.peer() + " " + reason.kind());
      }

      @Override
      public void dialFailed(Multiaddr address, PeerId expected, CloseReason reason) {
        events.add("dialFailed " + reason.kind());
        dialFailures.add(reason);
      }
    });
  }

  /** Listens; returns the address with {@code /p2p/}. */
  public Multiaddr listen() {
    addr = swarm.listen(tcp()).getNow().withP2p(id.toBytes());
    return addr;
  }

  private static Multiaddr tcp() {
    try {
      return Multiaddr.parse("/ip4/0.0.0.0/tcp/0");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public Multiaddr addr() {
    return addr;
  }

  public Future<Connection> dial(SwarmNode other) {
    return swarm.dial(other.addr(), Duration.ofSeconds(10));
  }

  /** Events of a kind ({@code connected}, {@code disconnected}, {@code dialFailed}). */
  public List<String> events(String kind) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      if (e.startsWith(kind + " ")) {
        out.add(e);
      }
    }
    return out;
  }

  public VirtualScheduler sched() {
    return sched;
  }
}
