package io.leanp2p.node;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.config.GossipConfig;
import io.leanp2p.config.ReqRespConfig;
import io.leanp2p.config.AdmissionConfig;
import io.leanp2p.config.DnsResolver;
import io.leanp2p.config.QuicConfig;
import io.leanp2p.config.TcpConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every limit and timer of one network, with lean defaults. Immutable; build with {@link
 * #builder()}.
 *
 * @param name the network's name: in every log line and thread name
 * @param identity the secp256k1 (or ed25519) identity key; null = a fresh secp256k1 key
 * @param listenAddresses multiaddrs to listen on ({@code /ip4/127.0.0.1/udp/0/quic-v1},
 *     {@code /ip4/0.0.0.0/tcp/9000}, …); port 0 picks a free port
 * @param bootnodes multiaddrs ({@code /ip4}, {@code /ip6}, {@code /dns4}, {@code /dns6}, {@code
 *     /dns}) or ENRs dialed at start and kept connected per {@code reconnect}; an entry that cannot
 *     be parsed, resolved or reached is reported as {@code ConnectionFailed}, never fails the start
 * @param maxPayload the one payload limit (gossip SSZ, requests, response chunks): 10 MiB
 * @param maxPeers connections to new peers beyond this are refused (static peers excepted)
 * @param dialTimeout a dial's whole budget (connect + handshake + muxer)
 * @param reconnect retry policy for bootnodes and persistent dials (zeam: 5..80 s, 5 tries)
 * @param controlLaneCapacity commands that complete remote work (chunks, ends, errors, validations)
 * @param bulkLaneCapacity new work (publish, requests, dials, subscriptions)
 * @param drainBatch commands drained per loop turn before I/O gets its turn
 * @param gossipQueueCapacity gossip events waiting for the host (then: IGNORE, counted)
 * @param inboundRequestQueueCapacity inbound requests waiting for the host (then: error response)
 * @param publishEvents whether {@code PublishCompleted} events are emitted
 * @param peerEventQueueCapacity peer events waiting for the host (then: new peers are refused and
 *     informational events shed, counted; connect / disconnect pairs are never shed)
 * @param responseEventQueueCapacity response events waiting for the host (response streams are
 *     paused at 3/4; then: the request ends {@code SHED}, counted; terminal events are never shed)
 * @param gossipMaxPause how long inbound gossip reading may stay paused for a slow host before
 *     reading resumes and the overflow is shed (IGNORE, counted) instead
 * @param duplicateGrace the losing connection of the one-connection-per-peer rule stays open
 *     (serving the exchanges on it) until the remote uses the survivor and two checks this far
 *     apart find the loser carrying no stream (10 graces at most)
 * @param dnsResolver resolves {@code /dns*} addresses off the event loop (default: the system's)
 * @param peerNames names of known peers, e.g. a devnet's {@code zeam_0}: the {@code client} label
 *     of {@code lean_connected_peers} (peers not listed get their identify client name)
 * @param admission limits on inbound connections before they are authenticated (pending, per IP,
 *     new per IP per second, first-byte and upgrade timeouts); see {@code docs/security.md}
 * @param peerPolicy who gets one of the {@code maxPeers} slots and who loses it (inbound budget,
 *     silent peers, newcomers, graylisted peers); see {@code docs/security.md}
 */
public record NetworkConfig(
    String name,
    PrivateKey identity,
    List<String> listenAddresses,
    List<String> bootnodes,
    int maxPayload,
    int maxPeers,
    Duration dialTimeout,
    ReconnectPolicy reconnect,
    int controlLaneCapacity,
    int bulkLaneCapacity,
    int drainBatch,
    int gossipQueueCapacity,
    int inboundRequestQueueCapacity,
    boolean publishEvents,
    int peerEventQueueCapacity,
    int responseEventQueueCapacity,
    Duration gossipMaxPause,
    Duration duplicateGrace,
    DnsResolver dnsResolver,
    Map<PeerId, String> peerNames,
    GossipConfig gossip,
    ReqRespConfig reqresp,
    TcpConfig tcp,
    QuicConfig quic,
    AdmissionConfig admission,
    PeerPolicyConfig peerPolicy) {

  public static final int MAX_PAYLOAD = 10 * 1024 * 1024;

  public NetworkConfig {
    Objects.requireNonNull(name, "name");
    listenAddresses = List.copyOf(listenAddresses);
    bootnodes = List.copyOf(bootnodes);
    Objects.requireNonNull(dialTimeout, "dialTimeout");
    Objects.requireNonNull(reconnect, "reconnect");
    Objects.requireNonNull(gossipMaxPause, "gossipMaxPause");
    Objects.requireNonNull(duplicateGrace, "duplicateGrace");
    Objects.requireNonNull(dnsResolver, "dnsResolver");
    peerNames = Map.copyOf(peerNames);
    Objects.requireNonNull(gossip, "gossip");
    Objects.requireNonNull(reqresp, "reqresp");
    Objects.requireNonNull(tcp, "tcp");
    Objects.requireNonNull(quic, "quic");
    Objects.requireNonNull(admission, "admission");
    Objects.requireNonNull(peerPolicy, "peerPolicy");
    if (maxPayload < 1 || maxPayload > MAX_PAYLOAD) {
      throw new IllegalArgumentException("maxPayload must be in [1, 10 MiB]");
    }
    if (maxPeers < 1 || controlLaneCapacity < 2 || bulkLaneCapacity < 2 || drainBatch < 1
        || gossipQueueCapacity < 4 || inboundRequestQueueCapacity < 4 || peerEventQueueCapacity < 4
        || responseEventQueueCapacity < 4) {
      throw new IllegalArgumentException("limits out of range");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.identity = identity;
    b.listenAddresses = new ArrayList<>(listenAddresses);
    b.bootnodes = new ArrayList<>(bootnodes);
    b.maxPayload = maxPayload;
    b.maxPeers = maxPeers;
    b.dialTimeout = dialTimeout;
    b.reconnect = reconnect;
    b.controlLaneCapacity = controlLaneCapacity;
    b.bulkLaneCapacity = bulkLaneCapacity;
    b.drainBatch = drainBatch;
    b.gossipQueueCapacity = gossipQueueCapacity;
    b.inboundRequestQueueCapacity = inboundRequestQueueCapacity;
    b.publishEvents = publishEvents;
    b.peerEventQueueCapacity = peerEventQueueCapacity;
    b.responseEventQueueCapacity = responseEventQueueCapacity;
    b.gossipMaxPause = gossipMaxPause;
    b.duplicateGrace = duplicateGrace;
    b.dnsResolver = dnsResolver;
    b.peerNames = peerNames;
    b.gossip = gossip;
    b.reqresp = reqresp;
    b.tcp = tcp;
    b.quic = quic;
    b.admission = admission;
    b.peerPolicy = peerPolicy;
    return b;
  }

  /** Builder with lean defaults; every setter returns the builder. */
  public static final class Builder {
    private String name = "lean";
    private PrivateKey identity;
    private List<String> listenAddresses = new ArrayList<>(List.of("/ip4/127.0.0.1/udp/0/quic-v1"));
    private List<String> bootnodes = new ArrayList<>();
    private int maxPayload = MAX_PAYLOAD;
    private int maxPeers = 64;
    private Duration dialTimeout = Duration.ofSeconds(10);
    private ReconnectPolicy reconnect = ReconnectPolicy.leanDefaults();
    // zeam's bridge: 8192 commands, 256 per turn (after its 1024 / 32 silently dropped publishes)
    private int controlLaneCapacity = 8192;
    private int bulkLaneCapacity = 8192;
    private int drainBatch = 256;
    private int gossipQueueCapacity = 1024;
    private int inboundRequestQueueCapacity = 1024;
    private boolean publishEvents = false;
    private int peerEventQueueCapacity = 4096;
    private int responseEventQueueCapacity = 16384;
    private Duration gossipMaxPause = Duration.ofSeconds(1);
    private Duration duplicateGrace = Duration.ofSeconds(5);
    private DnsResolver dnsResolver = DnsResolver.system();
    private Map<PeerId, String> peerNames = Map.of();
    private GossipConfig gossip = GossipConfig.DEFAULT;
    private ReqRespConfig reqresp = ReqRespConfig.leanDefaults();
    private TcpConfig tcp = TcpConfig.defaults();
    private QuicConfig quic = QuicConfig.defaults();
    private AdmissionConfig admission = AdmissionConfig.defaults();
    private PeerPolicyConfig peerPolicy = PeerPolicyConfig.defaults();

    public Builder name(String v) { name = v; return this; }
    public Builder identity(PrivateKey v) { identity = v; return this; }
    public Builder listenAddresses(List<String> v) { listenAddresses = new ArrayList<>(v); return this; }
    public Builder listen(String... v) { listenAddresses = new ArrayList<>(List.of(v)); return this; }
    public Builder bootnodes(List<String> v) { bootnodes = new ArrayList<>(v); return this; }
    public Builder maxPayload(int v) { maxPayload = v; return this; }
    public Builder maxPeers(int v) { maxPeers = v; return this; }
    public Builder dialTimeout(Duration v) { dialTimeout = v; return this; }
    public Builder reconnect(ReconnectPolicy v) { reconnect = v; return this; }
    public Builder controlLaneCapacity(int v) { controlLaneCapacity = v; return this; }
    public Builder bulkLaneCapacity(int v) { bulkLaneCapacity = v; return this; }
    public Builder drainBatch(int v) { drainBatch = v; return this; }
    public Builder gossipQueueCapacity(int v) { gossipQueueCapacity = v; return this; }
    public Builder inboundRequestQueueCapacity(int v) { inboundRequestQueueCapacity = v; return this; }
    public Builder publishEvents(boolean v) { publishEvents = v; return this; }
    public Builder peerEventQueueCapacity(int v) { peerEventQueueCapacity = v; return this; }
    public Builder responseEventQueueCapacity(int v) { responseEventQueueCapacity = v; return this; }
    public Builder gossipMaxPause(Duration v) { gossipMaxPause = v; return this; }
    public Builder duplicateGrace(Duration v) { duplicateGrace = v; return this; }
    public Builder dnsResolver(DnsResolver v) { dnsResolver = v; return this; }
    public Builder peerNames(Map<PeerId, String> v) { peerNames = Map.copyOf(v); return this; }
    public Builder gossip(GossipConfig v) { gossip = v; return this; }
    public Builder reqresp(ReqRespConfig v) { reqresp = v; return this; }
    public Builder tcp(TcpConfig v) { tcp = v; return this; }
    public Builder quic(QuicConfig v) { quic = v; return this; }
    public Builder admission(AdmissionConfig v) { admission = v; return this; }
    public Builder peerPolicy(PeerPolicyConfig v) { peerPolicy = v; return this; }


    public NetworkConfig build() {
      return new NetworkConfig(name, identity, listenAddresses, bootnodes, maxPayload, maxPeers,
          dialTimeout, reconnect, controlLaneCapacity, bulkLaneCapacity, drainBatch,
          gossipQueueCapacity, inboundRequestQueueCapacity, publishEvents, peerEventQueueCapacity,
          responseEventQueueCapacity, gossipMaxPause, duplicateGrace, dnsResolver, peerNames, gossip, reqresp,
          tcp, quic, admission, peerPolicy);
    }
  }
}
