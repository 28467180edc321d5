/**
 * The settings a host gives {@code NetworkConfig}, as immutable records with lean defaults: the
 * transports ({@link io.leanp2p.config.QuicConfig}, {@link io.leanp2p.config.TcpConfig} with {@link
 * io.leanp2p.config.YamuxConfig}), inbound admission ({@link io.leanp2p.config.AdmissionConfig}),
 * gossipsub and its scoring ({@link io.leanp2p.config.GossipConfig}, {@link
 * io.leanp2p.config.RpcLimits}, {@link io.leanp2p.config.PeerScoreParams}, {@link
 * io.leanp2p.config.TopicScoreParams}), req/resp ({@link io.leanp2p.config.ReqRespConfig}) and DNS
 * resolution ({@link io.leanp2p.config.DnsResolver}). These are the settings the layers below the
 * node read, so they live below every engine layer (depending on nothing else in the library) and
 * each engine package reads its part; the node's own settings ({@code NetworkConfig}, {@code
 * PeerPolicyConfig}, {@code ReconnectPolicy}) stay in {@code io.leanp2p.node} beside the API that
 * reads them.
 */
package io.leanp2p.config;
