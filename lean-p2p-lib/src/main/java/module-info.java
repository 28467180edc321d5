/**
 * lean-p2p: the libp2p networking bridge a lean-consensus client embeds. Start at {@link
 * io.leanp2p.node.LeanNetwork}.
 *
 * <p>Exported: the host API ({@code io.leanp2p.node}, {@code io.leanp2p.node.metrics}) and the
 * packages of the values it takes and gives: the lean vocabulary ({@code io.leanp2p.lean}: SSZ
 * containers, topics, req/resp protocols and response codes), the network's shared values ({@code
 * io.leanp2p.types}: direction, transport kind, close reasons, the gossip validation verdict,
 * request errors), the settings ({@code io.leanp2p.config}: transports, admission, gossipsub and its
 * scoring, req/resp, DNS resolution), identities and ENRs ({@code io.leanp2p.crypto}, {@code
 * io.leanp2p.crypto.enr}), multiaddrs ({@code io.leanp2p.multiformats}) and {@code
 * DecodeException} / {@code Hex} / {@code Scheduler} ({@code io.leanp2p.util}). No exported member
 * takes or gives a type of an unexported package ({@code ExportedApiTest} checks it).
 *
 * <p>Not exported (the engine, free to change): the swarm ({@code io.leanp2p.node.swarm}: peer
 * table, dialing, the service interface), the transports (QUIC, TCP with Noise and Yamux,
 * multistream-select), the codecs (gossipsub RPC, snappy, ssz_snappy), the protocols (gossipsub
 * router, req/resp, identify, ping) and the generated protobuf classes. A host that builds wire
 * payloads for {@code publishRaw} compresses them with any raw-snappy implementation.
 */
module io.leanp2p {
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.classes.quic;
  requires io.netty.transport.classes.epoll;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.provider;
  requires com.google.protobuf;
  requires org.slf4j;
  requires snappy.java;

  exports io.leanp2p.node;
  exports io.leanp2p.node.metrics;
  exports io.leanp2p.lean;
  exports io.leanp2p.types;
  exports io.leanp2p.config;
  exports io.leanp2p.crypto;
  exports io.leanp2p.crypto.enr;
  exports io.leanp2p.multiformats;
  exports io.leanp2p.util;

  // protobuf's runtime reads the generated message classes reflectively
  opens io.leanp2p.proto to com.google.protobuf;
}
