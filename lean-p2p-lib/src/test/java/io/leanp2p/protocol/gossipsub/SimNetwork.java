package io.leanp2p.protocol.gossipsub;

import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.types.Direction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import io.leanp2p.types.Validation;
import io.leanp2p.config.GossipConfig;

/**
 * A deterministic in-memory network of {@link GossipRouter}s for single-threaded simulations under
 * a {@link VirtualScheduler}: links with latency, optionally lossy links (they drop the published
 * messages of every RPC, control still passes), and a host per node that validates delivered
 * messages after a short delay with a pluggable verdict.
 */
final class SimNetwork {
  final VirtualScheduler sched = new VirtualScheduler();
  final Random random;
  final List<Node> nodes = new ArrayList<>();
  final Map<PeerId, Node> byId = new HashMap<>();
  final Set<Long> lossyLinks = new HashSet<>();
  /** Verdict of hosts for a delivered message (default: accept everything). */
  Predicate<GossipMessage> isValid = m -> true;
  long rpcsDelivered;
  long publishDroppedByLossyLinks;

  final class Node {
    final int index;
    final PeerId id;
    final GossipRouter router;
    final Map<String, GossipMessage> received = new HashMap<>();
    final List<Integer> neighbours = new ArrayList<>();

    Node(int index, GossipConfig config) {
      this.index = index;
      this.id = GossipRouterTestAccess.peer("sim-node-" + index);
      this.router = new GossipRouter(config, sched, new Random(random.nextLong()), new GossipOutput() {
        @Override
        public void send(PeerId to, Rpc rpc) {
          transmit(Node.this, byId.get(to), rpc);
        }

        @Override
        public void deliver(GossipMessage m) {
          received.put(io.leanp2p.util.Hex.encode(m.messageId()), m);
          boolean ok = isValid.test(m);
          sched.schedule(1_000_000L, () -> router.reportValidation(m.messageId(),
              ok ? Validation.ACCEPT : Validation.REJECT));
        }
      });
    }
  }

  SimNetwork(long seed) {
    this.random = new Random(seed);
  }

  Node addNode(GossipConfig config) {
    Node n = new Node(nodes.size(), config);
    nodes.add(n);
    byId.put(n.id, n);
    return n;
  }

  /** Connects a (dialer) and b (listener); ip of each side as the other sees it. */
  void connect(Node a, Node b) {
    if (a == b || a.neighbours.contains(b.index)) {
      return;
    }
    a.neighbours.add(b.index);
    b.neighbours.add(a.index);
    a.router.addPeer(b.id, "/meshsub/1.2.0", Direction.OUTBOUND, "10.0." + (b.index / 250) + "." + (b.index % 250));
    b.router.addPeer(a.id, "/meshsub/1.2.0", Direction.INBOUND, "10.0." + (a.index / 250) + "." + (a.index % 250));
  }

  /** Every node dials {@code degree} random others (plus a ring, so the graph is connected). */
  void connectRandom(int degree) {
    int n = nodes.size();
    for (int i = 0; i < n; i++) {
      connect(nodes.get(i), nodes.get((i + 1) % n));
      for (int k = 0; k < degree; k++) {
        connect(nodes.get(i), nodes.get(random.nextInt(n)));
      }
    }
  }

  /** Marks a fraction of the existing links lossy (symmetric). */
  void makeLossy(double fraction) {
    for (Node a : nodes) {
      for (int b : a.neighbours) {
        if (a.index < b && random.nextDouble() < fraction) {
          lossyLinks.add(linkKey(a.index, b));
        }
      }
    }
  }

  private static long linkKey(int a, int b) {
    return ((long) Math.min(a, b) << 32) | Math.max(a, b);
  }

  private void transmit(Node from, Node to, Rpc rpc) {
    if (to == null) {
      return;
    }
    Rpc r = rpc;
    if (!rpc.publish().isEmpty() && lossyLinks.contains(linkKey(from.index, to.index))) {
      publishDroppedByLossyLinks += rpc.publish().size();
      r = new Rpc(rpc.subscriptions(), List.of(), rpc.control());
      if (r.isEmpty()) {
        return;
      }
    }
    long latency = 5_000_000L + (long) (random.nextDouble() * 25_000_000L);
    Rpc delivered = r;
    sched.schedule(latency, () -> {
      rpcsDelivered++;
      to.router.onRpc(from.id, delivered);
    });
  }

  void startAll() {
    for (Node n : nodes) {
      n.router.start();
    }
  }

  void runMillis(long millis) {
    sched.advanceMillis(millis);
  }
}
