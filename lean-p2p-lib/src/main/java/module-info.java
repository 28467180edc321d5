/**
 * lean-p2p: the libp2p networking bridge a lean-consensus client embeds. Start at {@link
 * io.leanp2p.node.LeanNetwork}.
 *
 * <p>Exported: the host API ({@code io.leanp2p.node}, {@code io.leanp2p.node.metrics}) and the
 * packages of the value types it takes and gives: the lean vocabulary ({@code io.leanp2p.lean}),
 * identities and ENRs ({@code io.leanp2p.crypto}, {@code io.leanp2p.crypto.enr}), multiaddrs
 * ({@code io.leanp2p.multiformats}) and {@code DecodeException} / {@code Hex} ({@code
 * io.leanp2p.util}).
 *
 * <p>Exported deliberately although they also hold engine classes, because a host-API type lives
 * in them (only those types are API; the rest may change without notice):
 *
 * <ul>
 *   <li>{@code io.leanp2p.protocol.reqresp}: {@code LeanProtocol}, {@code RequestError}, {@code
 *       ReqRespConfig};
 *   <li>{@code io.leanp2p.protocol.gossipsub}: {@code GossipConfig}, {@code PeerScoreParams},
 *       {@code TopicScoreParams};
 *   <li>{@code io.leanp2p.transport}: {@code Direction}, {@code TransportKind}, {@code
 *       CloseReason}, {@code DnsResolver}, {@code AdmissionConfig};
 *   <li>{@code io.leanp2p.transport.quic}: {@code QuicConfig}; {@code io.leanp2p.transport.tcp}:
 *       {@code TcpConfig};
 *   <li>{@code io.leanp2p.codec.sszsnappy}: {@code ResponseCode};
 *   <li>{@code io.leanp2p.codec.snappy}: {@code SnappyBlock}, for tools that build wire payloads
 *       for {@code publishRaw} (the CLI's peer command).
 * </ul>
 *
 * <p>Not exported: the swarm ({@code io.leanp2p.node.swarm}: peer table, dialing, the service
 * interface), the gossipsub RPC codec, multistream-select, Noise, Yamux, identify, ping and the
 * generated protobuf classes.
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
  exports io.leanp2p.crypto;
  exports io.leanp2p.crypto.enr;
  exports io.leanp2p.multiformats;
  exports io.leanp2p.util;

  exports io.leanp2p.protocol.reqresp;
  exports io.leanp2p.protocol.gossipsub;
  exports io.leanp2p.transport;
  exports io.leanp2p.transport.quic;
  exports io.leanp2p.transport.tcp;
  exports io.leanp2p.codec.sszsnappy;
  exports io.leanp2p.codec.snappy;

  // protobuf's runtime reads the generated message classes reflectively
  opens io.leanp2p.proto to com.google.protobuf;
}
