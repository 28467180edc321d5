package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.swarm.Swarm;
import io.leanp2p.node.swarm.SwarmConfig;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.ping.Ping;
import io.leanp2p.protocol.reqresp.ResponseChannels;
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
    Swarm swarm = new Swarm(self, sched, loop, swarmCfg, listener -> List.<Transport>of(
        new TcpTransport(loop, identity, config.tcp(), listener),
        // Netty's QUIC cannot send a QUIC PING: quiet connections are kept alive with libp2p pings
        new QuicTransport(loop, identity, config.quic(), listener, ping::ping, new SecureRandom(), Clock.systemUTC())));
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
    PeerLifecycle peers =
        new PeerLifecycle(swarm, p.outbox(), sched, config.reconnect(), config.maxPeers(), config.dialTimeout());
    swarm.setListener(peers);
    swarm.setAdmission(peers);
    p.outbox().onResume(EventDispatcher.EventClass.GOSSIP, gossip::resume);
    p.outbox().onResume(EventDispatcher.EventClass.INBOUND_REQUEST, reqresp::resumeRequests);
    p.outbox().onResume(EventDispatcher.EventClass.RESPONSE, reqresp::resumeResponses);
    Telemetry telemetry = new Telemetry(self, swarm, gossip, () -> List.copyOf(listening), p.lanes(), p.outbox(),
        p.gate(), p.board(), loop);
    return new Wiring(swarm, gossip, reqresp, pingService, peers, telemetry, listening);
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
