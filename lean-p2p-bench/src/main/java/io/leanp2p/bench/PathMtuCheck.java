package io.leanp2p.bench;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.lean.BlocksByRangeRequest;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.RequestHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One side of {@code scripts/pmtu-blackhole.sh}: a blocks_by_range of 64 × 100 KiB over QUIC
 * between two processes, for a path that silently drops packets above its MTU.
 *
 * <pre>
 *   PathMtuCheck server LISTEN_MULTIADDR ADDRESS_FILE SECONDS   answers for SECONDS, then exits
 *   PathMtuCheck client LISTEN_MULTIADDR ADDRESS_FILE           exit 0 when the whole response arrived
 * </pre>
 */
public final class PathMtuCheck {
  private static final int BLOCKS = 64;
  private static final int BLOCK = 100 * 1024;

  private PathMtuCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 4 && args[0].equals("server")) {
      server(args[1], Path.of(args[2]), Integer.parseInt(args[3]));
    } else if (args.length >= 3 && args[0].equals("client")) {
      System.exit(client(args[1], Path.of(args[2])) ? 0 : 1);
    } else {
      System.err.println("usage: PathMtuCheck server LISTEN FILE SECONDS | client LISTEN FILE");
      System.exit(2);
    }
  }

  private static void server(String listen, Path addressFile, int seconds) throws Exception {
    byte[] block = new byte[BLOCK];
    new Random(1).nextBytes(block); // incompressible: the packets are full
    LeanNetwork[] net = new LeanNetwork[1];
    net[0] = LeanNetwork.start(NetworkConfig.builder().name("mtu-server").listen(listen).build(), e -> {
      if (e instanceof NetworkEvent.InboundRequest r) {
        for (int i = 0; i < BLOCKS; i++) {
          net[0].sendResponseChunk(r.channelId(), block, Duration.ofSeconds(30));
        }
        net[0].endResponse(r.channelId());
      }
    });
    List<Multiaddr> addrs = net[0].awaitReady(Duration.ofSeconds(30));
    Path tmp = Files.createTempFile(addressFile.toAbsolutePath().getParent(), "addr", ".tmp");
    Files.writeString(tmp, addrs.get(0).toString());
    Files.move(tmp, addressFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    net[0].close();
  }

  private static boolean client(String listen, Path addressFile) throws Exception {
    String addr = Files.readString(addressFile).strip();
    PeerId server = PeerId.fromBase58(addr.substring(addr.indexOf("/p2p/") + 5));
    CompletableFuture<Void> connected = new CompletableFuture<>();
    CompletableFuture<String> done = new CompletableFuture<>();
    AtomicLong bytes = new AtomicLong();
    try (LeanNetwork net = LeanNetwork.start(NetworkConfig.builder().name("mtu-client").listen(listen)
        .reqresp(io.leanp2p.config.ReqRespConfig.leanDefaults().withRequestTimeout(Duration.ofSeconds(20)))
        .build(), e -> {
          if (e instanceof NetworkEvent.PeerConnected) {
            connected.complete(null);
          } else if (e instanceof NetworkEvent.ResponseChunk c) {
            bytes.addAndGet(c.data().length);
          } else if (e instanceof NetworkEvent.EndOfStream) {
            done.complete("end of stream");
          } else if (e instanceof NetworkEvent.RequestFailed f) {
            done.complete("failed: " + f.error());
          }
        })) {
      net.awaitReady(Duration.ofSeconds(30));
      net.dial(addr);
      connected.get(20, TimeUnit.SECONDS);
      long t0 = System.nanoTime();
      RequestHandle h = net.sendRequest(server, LeanProtocol.BLOCKS_BY_RANGE, new BlocksByRangeRequest(0, BLOCKS).encode());
      if (!h.isAccepted()) {
        System.out.println("client: request refused: " + h.outcome());
        return false;
      }
      String how;
      try {
        how = done.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        how = "nothing within 30 s";
      }
      boolean ok = bytes.get() == (long) BLOCKS * BLOCK && how.equals("end of stream");
      System.out.printf(java.util.Locale.ROOT, "client: %s, %d of %d bytes in %.0f ms%n", how, bytes.get(),
          (long) BLOCKS * BLOCK, (System.nanoTime() - t0) / 1e6);
      return ok;
    }
  }
}
