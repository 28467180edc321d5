package io.leanp2p.cli.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.ReconnectPolicy;
import java.io.Writer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The peer protocol's {@code "persistent": true} dial (docs/peer-protocol.md): a peer that restarts
 * on the same address is reconnected, and the driver sees it {@code connected} again.
 */
@Timeout(120)
class PersistentDialTest {
  private static final Duration T = Duration.ofSeconds(30);

  /** The session's stdout, line by line. */
  static final class Lines extends Writer {
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final StringBuilder current = new StringBuilder();

    @Override
    public synchronized void write(char[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        if (buf[i] == '\n') {
          lines.add(current.toString());
          current.setLength(0);
        } else {
          current.append(buf[i]);
        }
      }
      synchronized (lines) {
        lines.notifyAll();
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    long count(Predicate<String> p) {
      return lines.stream().filter(p).count();
    }

    void await(Predicate<String> p, long n) throws InterruptedException {
      long deadline = System.nanoTime() + T.toNanos();
      synchronized (lines) {
        while (count(p) < n) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new AssertionError("no " + n + " matching lines in " + lines);
          }
          lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    }
  }

  @Test
  void aPersistentlyDialedPeerThatRestartsOnTheSameAddressIsConnectedAgain() throws Exception {
    PrivateKey keyB = Secp256k1PrivateKey.generate(new SecureRandom());
    LeanNetwork b1 = LeanNetwork.start(
        NetworkConfig.builder().name("restarting").identity(keyB).listen("/ip4/127.0.0.1/tcp/0").build(), e -> {});
    Multiaddr bAddr = b1.awaitReady(T).get(0);
    String bId = b1.localPeerId().toBase58();
    Lines out = new Lines();
    LeanPeerBackend a = LeanPeerBackend.start(NetworkConfig.builder().name("driver").listen("/ip4/127.0.0.1/tcp/0")
            .reconnect(new ReconnectPolicy(List.of(Duration.ofMillis(200), Duration.ofMillis(400)), 20)),
        new EventWriter(out), System::nanoTime, T);
    LeanNetwork b2 = null;
    try {
      PeerSession session = new PeerSession(a, new EventWriter(out), System::nanoTime, new SizedPayloads(new Random(1)));
      session.handleLine("{\"cmd\":\"dial\",\"addr\":\"" + bAddr + "\",\"persistent\":true,\"id\":\"d\"}");
      out.await(l -> l.contains("\"event\":\"dialed\"") && l.contains("\"id\":\"d\""), 1);
      Predicate<String> connected = l -> l.contains("\"event\":\"connected\"") && l.contains(bId);
      out.await(connected, 1);
      b1.close();
      out.await(l -> l.contains("\"event\":\"disconnected\"") && l.contains(bId), 1);
      b2 = LeanNetwork.start(NetworkConfig.builder().name("restarted").identity(keyB)
          .listen("/ip4/127.0.0.1/tcp/" + bAddr.toString().split("/")[4]).build(), e -> {});
      b2.awaitReady(T);
      out.await(connected, 2);
      assertThat(out.count(l -> l.contains("\"event\":\"error\""))).isZero();
    } finally {
      a.close();
      if (b2 != null) {
        b2.close();
      }
    }
  }
}
