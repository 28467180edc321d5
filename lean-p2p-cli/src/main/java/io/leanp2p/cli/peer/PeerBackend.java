package io.leanp2p.cli.peer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the peer protocol needs from a network, asynchronously: the {@link PeerSession} speaks the
 * protocol, a backend (the {@code LeanNetwork} adapter in production, a fake in tests) does the
 * networking. Futures complete exceptionally with a human-readable message on failure. Peer ids
 * and multiaddrs are their libp2p strings.
 */
public interface PeerBackend extends AutoCloseable {
  /** A connection that is up. */
  record Dialed(String peer, String addr) {}

  /** A ping answer: the peer id and the round trip the ping protocol measured. */
  record Pong(String peer, double rttMs) {}

  /** A status response: the response code (0 = SUCCESS) and the payload. */
  record StatusResponse(String peer, int result, byte[] data) {}

  /** What {@code info} prints. */
  record Info(String peerId, List<String> addrs, List<String> peers, Map<String, List<String>> topics) {}

  /**
   * Dials a multiaddr; completes when the connection is up. A {@code persistent} peer is kept
   * connected (redialed per the reconnect policy after a failed dial or a lost connection), so its
   * failed attempts do not fail the call while another follows.
   */
  CompletableFuture<Dialed> dial(String addr, boolean persistent, Duration timeout);

  /** A carried-out publish: the lean message id (hex) and the peer ids it was sent to. */
  record Published(String msgIdHex, List<String> recipients) {}

  /**
   * Publishes {@code payload} as the gossip message's data exactly as given (no compression).
   * Completes with the message id and the peer ids it was sent to (empty when the topic has no
   * peers); fails on a duplicate.
   */
  CompletableFuture<Published> publish(String topic, byte[] payload);

  /** Pings a peer given by peer id or multiaddr. */
  CompletableFuture<Pong> ping(String peer, Duration timeout);

  /** Sends a status request with {@code data} and reads the one-chunk response. */
  CompletableFuture<StatusResponse> status(String peer, byte[] data, Duration timeout);

  CompletableFuture<Void> subscribe(String topic);

  CompletableFuture<Void> unsubscribe(String topic);

  Info info();

  /** Stops the network (bounded wait). */
  @Override
  void close();
}
