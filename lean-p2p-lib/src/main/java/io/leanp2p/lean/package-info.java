/**
 * The lean vocabulary, defined once for the library, its CLI and its hosts: the SSZ containers the
 * networking layer carries ({@link io.leanp2p.lean.Status}, {@link
 * io.leanp2p.lean.BlocksByRootRequest}, {@link io.leanp2p.lean.BlocksByRangeRequest}, {@link
 * io.leanp2p.lean.SignedBlock} and what it contains, with their hash tree roots), the gossip topic
 * strings of a network ({@link io.leanp2p.lean.GossipTopic}), the req/resp protocols ({@link
 * io.leanp2p.lean.LeanProtocol}) and response codes ({@link io.leanp2p.lean.ResponseCode}), and the
 * SSZ machinery they share.
 * Every container is checked against leanSpec's SSZ fixtures. Depends on {@code io.leanp2p.util}
 * only.
 */
package io.leanp2p.lean;
