package io.leanp2p.testing;

import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The networks a host-API test starts, closed after each test: {@code @RegisterExtension final
 * Networks nets = new Networks();} then {@code nets.start(Networks.quic("a"), listener)}.
 */
public final class Networks implements AfterEachCallback {
  /** How long a test waits for a network to be ready (generous: the CI machine is loaded). */
  public static final Duration READY = Duration.ofSeconds(30);

  private final List<LeanNetwork> started = new ArrayList<>();

  /** Starts a network, waits until it listens, and closes it after the test. */
  public synchronized LeanNetwork start(NetworkConfig.Builder config, NetworkListener listener) throws Exception {
    LeanNetwork n = LeanNetwork.start(config.build(), listener);
    started.add(n);
    n.awaitReady(READY);
    return n;
  }

  /** Closes a network this test started itself (e.g. one expected to fail its start) after the test. */
  public synchronized LeanNetwork track(LeanNetwork n) {
    started.add(n);
    return n;
  }

  /** Closes every network started so far (idempotent: each is closed again after the test). */
  public synchronized void closeAll() {
    started.forEach(LeanNetwork::close);
  }

  /** A network listening on a free QUIC port of 127.0.0.1. */
  public static NetworkConfig.Builder quic(String name) {
    return NetworkConfig.builder().name(name).listen("/ip4/127.0.0.1/udp/0/quic-v1");
  }

  /** A network listening on a free TCP port of 127.0.0.1. */
  public static NetworkConfig.Builder tcp(String name) {
    return NetworkConfig.builder().name(name).listen("/ip4/127.0.0.1/tcp/0");
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    started.forEach(LeanNetwork::close);
    started.clear();
  }
}
