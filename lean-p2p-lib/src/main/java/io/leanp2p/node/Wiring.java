package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.swarm.Swarm;
import io.leanp2p.node.swarm.SwarmConfig;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.protocol.reqresp.ResponseChannels;
import io.leanp2p.node.metrics.MetricsSnapshot;
import io.leanp2p.transport.EnumCounters;
import io.leanp2p.transport.InboundAdmission;
import io.leanp2p.transport.PipelineErrors;
import io.leanp2p.transport.Transport;
import io.leanp2p.transport.quic.QuicTransport;
import io.leanp2p.transport.tcp.TcpTransport;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Scheduler;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one network is made of, built on its event loop: the transports under the {@link Swarm}
 * (with its peer table), the four services (gossip, req/resp, identify, ping), the node's side of
 * the peer table ({@link PeerLifecycle}) and the {@link Telemetry}. Wiring only: no behaviour.
 */
final class Wiring {
  /** multistream-select and identify / ping timeout. */
  static final Duration NEGOTIATION_TIMEOUT = Duration.ofSeconds(10);
  /** The swarm's hard connection cap leaves room for static peers and draining duplicates beyond maxPeers. */
  static final int CONNECTION_HEADROOM = 16;

  final Swarm swarm;
  final GossipService gossip;
  final ReqRespService reqresp;
  final PingService ping;
  final PeerLifecycle peers;
  final Telemetry telemetry;
  /** The bound listen addresses (with {@code /p2p/}); identify and the snapshot read them. */
  private final List<Multiaddr> listening;

  private Wiring(Swarm swarm, GossipService gossip, ReqRespService reqresp, PingService ping, PeerLifecycle peers,
      Telemetry telemetry, List<Multiaddr> listening) {
    this.swarm = swarm;
    this.gossip = gossip;
    this.reqresp = reqresp;
    this.ping = ping;
    this.peers = peers;
    this.telemetry = telemetry;
    this.listening = listening;
  }

  /** The plumbing the actor made before the loop ran. */
  record Plumbing(HostOutbox outbox, CommandLanes<Command> lanes, CommandGate gate, SnapshotBoard board,
      ResponseChannels channels) {}

  static Wiring build(NetworkConfig config, PrivateKey identity, PeerId self, EventLoop loop, Scheduler sched,
      Plumbing p) throws StartException {
    for (String a : config.listenAddresses()) {
      parse(a);
    }
    SwarmConfig swarmCfg = new SwarmConfig(config.maxPeers() + CONNECTION_HEADROOM, NEGOTIATION_TIMEOUT, false,
        config.duplicateGrace(), config.dnsResolver(), config.peerNames());
    Ping ping = new Ping(sched, new SecureRandom(), NEGOTIATION_TIMEOUT.toMillis());
    // one admission (pending caps, per-IP limits, timeouts before authentication) for both transports
    InboundAdmission admission = new InboundAdmission(config.admission(), sched);
    List<Transport> transports = new ArrayList<>();
    Swarm swarm = new Swarm(self, sched, loop, swarmCfg, listener -> {
      transports.add(new TcpTransport(loop, identity, config.tcp(), listener, sched, new SecureRandom(), admission));
      // Netty's QUIC cannot send a QUIC PING: quiet connections are kept alive with libp2p pings
      transports.add(new QuicTransport(loop, identity, config.quic(), listener, ping::ping, new SecureRandom(),
          Clock.systemUTC(), admission));
      return List.copyOf(transports);
    });
    List<Multiaddr> listening = new ArrayList<>();
    Identify identify =
        new Identify(identity, () -> List.copyOf(listening), swarm.protocols(), sched, NEGOTIATION_TIMEOUT.toMillis());
    GossipService gossip = new GossipService(config.gossip(), sched, new SecureRandom(), swarm.peers(), p.outbox(),
        config.gossipMaxPause(), config.publishEvents());
    ReqRespService reqresp = new ReqRespService(config.reqresp(), p.channels(), sched, swarm.peers(), p.outbox());
    PingService pingService = new PingService(ping, sched, swarm.peers(), p.outbox());
    swarm.addService(new IdentifyService(identify, swarm.peers()));
    swarm.addService(pingService);
    swarm.addService(gossip);
    swarm.addService(reqresp);
    List<String> traffic = new ArrayList<>(gossip.protocols());
    traffic.addAll(reqresp.protocols());
    PeerLifecycle peers = new PeerLifecycle(swarm, p.outbox(), sched, config.reconnect(), config.maxPeers(),
        config.dialTimeout(), config.peerPolicy(), gossip::score, config.gossip().score().graylistThreshold(), traffic);
    swarm.setListener(peers);
    swarm.setAdmission(peers);
    p.outbox().onResume(EventDispatcher.EventClass.GOSSIP, gossip::resume);
    p.outbox().onResume(EventDispatcher.EventClass.INBOUND_REQUEST, reqresp::resumeRequests);
    p.outbox().onResume(EventDispatcher.EventClass.RESPONSE, reqresp::resumeResponses);
    Telemetry telemetry = new Telemetry(self, swarm, gossip, () -> List.copyOf(listening), p.lanes(), p.outbox(),
        p.gate(), p.board(), loop, b -> {
          peers.metrics(b);
          transportMetrics(b, admission, transports);
        });
    return new Wiring(swarm, gossip, reqresp, pingService, peers, telemetry, listening);
  }

  /** Admission before authentication, and the failures caught on the transports' channels. */
  private static void transportMetrics(MetricsSnapshot.Builder b, InboundAdmission admission, List<Transport> transports) {
    MetricsCounters.record(b, "leanp2p_admission_", "inbound admission (before authentication)", admission.counters());
    for (Transport t : transports) {
      EnumCounters<PipelineErrors.Kind> errors;
      if (t instanceof TcpTransport tcp) {
        tcp.yamuxErrorCounters().snapshot().forEach((e, n) -> b.counter("leanp2p_yamux_errors_total",
            "Yamux protocol errors, refused streams and dropped control answers",
            Map.of("reason", e.name().toLowerCase(Locale.ROOT)), n));
        errors = tcp.errorCounters();
      } else if (t instanceof QuicTransport quic) {
        errors = quic.errorCounters();
      } else {
        continue;
      }
      errors.snapshot().forEach((kind, n) -> b.counter("leanp2p_channel_errors_total",
          "failures caught on channels (expected ones logged at DEBUG, unexpected as rate-limited WARN)",
          Map.of("transport", t.kind().name().toLowerCase(Locale.ROOT), "kind", kind.name().toLowerCase(Locale.ROOT)), n));
    }
  }

  /** The bound addresses (each with {@code /p2p/}), once listening. */
  void listening(List<Multiaddr> addrs) {
    listening.addAll(addrs);
  }

  /** Parses a listen address; a bad one fails the start with reason ADDRESS. */
  static Multiaddr parse(String text) throws StartException {
    try {
      return DialAddress.parse(text.trim());
    } catch (DecodeException | RuntimeException e) {
      throw new StartException(StartException.Reason.ADDRESS, "bad address '" + text + "': " + e.getMessage(), e);
    }
  }

  /**
   * The identity's PeerId, after proving the key works: it signs, and its public key verifies what
   * it signed. A key that cannot is a start failure with reason KEY.
   */
  static PeerId checkKey(PrivateKey identity) throws StartException {
    try {
      PeerId self = PeerId.fromPublicKey(identity.publicKey());
      byte[] probe = "lean-p2p key check".getBytes(StandardCharsets.US_ASCII);
      if (!identity.publicKey().verify(probe, identity.sign(probe))) {
        throw new StartException(StartException.Reason.KEY, "the identity key's signature does not verify with its public key", null);
      }
      return self;
    } catch (StartException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StartException(StartException.Reason.KEY, "unusable identity key: " + e, e);
    }
  }
}
