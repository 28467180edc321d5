/**
 * The lean req/resp protocols ({@code /leanconsensus/req/{status,blocks_by_root,blocks_by_range}/1/ssz_snappy}),
 * requester and responder, written against {@link io.leanp2p.transport.MuxedStream} so they run
 * over Yamux and QUIC alike.
 *
 * <p><b>Threading.</b> {@link io.leanp2p.protocol.reqresp.ReqResp} is one object per network and
 * lives on the network's event loop: every method is called there, every listener callback runs
 * there, nothing is locked. Other threads see only {@link io.leanp2p.protocol.reqresp.ReqRespSnapshot}s
 * the node publishes.
 *
 * <p><b>Bytes.</b> The API takes and gives {@code byte[]} (request and chunk arrays are taken
 * over, not copied: do not modify them after the call). Inside, each {@code ByteBuf} read from a
 * stream is released by the handler that got it; queued response chunks are kept as {@code
 * byte[]} and encoded into a fresh buffer only when the stream can take them.
 *
 * <p><b>Events.</b> Every ACCEPTED request ends with exactly one terminal callback, never from
 * inside {@code request()}; refusals are synchronous outcomes. Host calls on channels always get
 * an outcome ({@link io.leanp2p.protocol.reqresp.ChannelOutcome}); channels that end without the
 * host are reported by {@code onChannelClosed}.
 *
 * <p><b>Limits</b> (all in {@link io.leanp2p.config.ReqRespConfig}, all counted):
 * outbound concurrency per peer; inbound concurrency per peer and in total (refused with
 * RESOURCE_UNAVAILABLE "Too many concurrent requests" + FIN, nothing read, no state kept); token
 * buckets per peer and protocol on requests and on requested blocks (RESOURCE_UNAVAILABLE "Rate
 * limited"); the request decoder limited to the protocol's largest valid request (so a peer cannot
 * make us allocate 10 MiB per stream); response chunk caps per request on both sides; one queue per
 * response channel, bounded in bytes ({@link io.leanp2p.protocol.reqresp.ResponseChannels}: a host
 * thread reserves before its chunk reaches the loop; the loop-side {@code sendChunk} answers
 * QUEUE_FULL, then {@code onChannelDrained}); whole-exchange request timeout;
 * responder idle timeout (SERVER_ERROR "Response timed out", or reset when nothing can be written).
 */
package io.leanp2p.protocol.reqresp;
