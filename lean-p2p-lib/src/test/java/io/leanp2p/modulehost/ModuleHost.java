package io.leanp2p.modulehost;

import io.leanp2p.lean.Checkpoint;
import io.leanp2p.lean.Status;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.lean.LeanProtocol;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A host that uses the library as a named module ({@code io.leanp2p} on the module path) through its
 * exported packages only: two networks on TCP loopback, a dial, a status exchange and a ping (Noise,
 * Yamux, multistream, identify's protobuf, req/resp). Prints {@code module host: ok} and exits 0.
 * Run by {@code ModulePathSmokeTest} in a child JVM; not a test itself.
 */
public final class ModuleHost {
  private ModuleHost() {}

  public static void main(String[] args) throws Exception {
    if (!LeanNetwork.class.getModule().isNamed()) {
      throw new IllegalStateException("the library is not loaded as a named module");
    }
    Duration t = Duration.ofSeconds(30);
    byte[] ours = new Status(new Checkpoint(new byte[32], 0), new Checkpoint(new byte[32], 7)).encode();
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    CompletableFuture<Long> pinged = new CompletableFuture<>();
    CompletableFuture<Void> connected = new CompletableFuture<>();
    AtomicReference<LeanNetwork> responder = new AtomicReference<>();
    try (LeanNetwork a = LeanNetwork.start(NetworkConfig.builder().name("mod-a").listen("/ip4/127.0.0.1/tcp/0").build(),
            e -> {
              if (e instanceof NetworkEvent.InboundRequest r && r.protocol() == LeanProtocol.STATUS) {
                // the responder answers with the status it got (an echo is enough here)
                responder.get().sendResponseChunk(r.channelId(), r.data());
                responder.get().endResponse(r.channelId());
              }
            });
        LeanNetwork b = LeanNetwork.start(NetworkConfig.builder().name("mod-b").listen("/ip4/127.0.0.1/tcp/0").build(),
            e -> {
              switch (e) {
                case NetworkEvent.PeerConnected c -> connected.complete(null);
                case NetworkEvent.ResponseChunk c -> answer.complete(c.data());
                case NetworkEvent.RequestFailed f -> answer.completeExceptionally(new IllegalStateException(f.toString()));
                case NetworkEvent.PingResult p -> {
                  if (p.error() == null) {
                    pinged.complete(p.rttNanos());
                  } else {
                    pinged.completeExceptionally(new IllegalStateException(p.error()));
                  }
                }
                default -> { }
              }
            })) {
      responder.set(a);
      String addr = a.awaitReady(t).get(0).toString();
      b.awaitReady(t);
      if (!b.dial(addr).isAccepted()) {
        throw new IllegalStateException("dial refused");
      }
      connected.get(30, TimeUnit.SECONDS);
      if (!b.sendRequest(a.localPeerId(), LeanProtocol.STATUS, ours).isAccepted()) {
        throw new IllegalStateException("status request refused");
      }
      byte[] got = answer.get(30, TimeUnit.SECONDS);
      if (!Arrays.equals(got, ours) || Status.decode(got).head().slot() != 7) {
        throw new IllegalStateException("status answer differs");
      }
      if (!b.ping(a.localPeerId()).isAccepted()) {
        throw new IllegalStateException("ping refused");
      }
      pinged.get(30, TimeUnit.SECONDS);
    }
    System.out.println("module host: ok");
  }
}
