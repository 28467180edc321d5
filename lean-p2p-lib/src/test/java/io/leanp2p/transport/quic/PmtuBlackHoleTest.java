package io.leanp2p.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.config.ReqRespConfig;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.lean.BlocksByRangeRequest;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.NetworkEvent;
import io.leanp2p.node.RequestHandle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * QUIC across a path MTU black hole: two network namespaces this test creates (root and iproute2;
 * skipped where namespaces cannot be created), joined by a veth pair whose receiving end has MTU
 * 1300, so a datagram from the server's side larger than that is dropped without any ICMP error.
 * The client must still get a 64 × 100 KiB blocks_by_range: packets start at 1200 bytes and path
 * MTU discovery raises them only when a probe is acknowledged. With a fixed 1452-byte send size
 * (no discovery) every full packet is lost and the request times out (docs/benchmarks.md, "QUIC
 * packet size"). The two sides are child JVMs ({@link Peer}), one per namespace.
 */
@Timeout(180)
class PmtuBlackHoleTest {
  private static final int BLOCKS = 64;
  private static final int BLOCK = 100 * 1024;
  private static final String SERVER_IP = "10.77.0.1";
  private static final String CLIENT_IP = "10.77.0.2";
  private static final int SMALL = 1000;
  private static final int LARGE = 1400;

  @Test
  void aBlocksByRangeCrossesAPathThatDropsLargeDatagramsSilently() throws Exception {
    String tag = "lp2p" + (ProcessHandle.current().pid() % 100_000);
    String nsServer = tag + "s";
    String nsClient = tag + "c";
    Assumptions.assumeTrue(ip("netns", "add", nsServer) == 0,
        "network namespaces cannot be created here (needs root and iproute2)");
    Process server = null;
    try {
      require(ip("netns", "add", nsClient));
      require(ip("link", "add", tag + "vs", "type", "veth", "peer", "name", tag + "vc"));
      require(ip("link", "set", tag + "vs", "netns", nsServer));
      require(ip("link", "set", tag + "vc", "netns", nsClient));
      require(ip("-n", nsServer, "addr", "add", SERVER_IP + "/24", "dev", tag + "vs"));
      require(ip("-n", nsClient, "addr", "add", CLIENT_IP + "/24", "dev", tag + "vc"));
      require(ip("-n", nsServer, "link", "set", tag + "vs", "up", "mtu", "1500"));
      require(ip("-n", nsClient, "link", "set", tag + "vc", "up", "mtu", "1300"));

      server = new ProcessBuilder(peerCommand(nsServer, "server", "/ip4/" + SERVER_IP + "/udp/0/quic-v1"))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      LinkedBlockingQueue<String> serverOut = lines(server);
      String ready = serverOut.poll(60, TimeUnit.SECONDS);
      assertThat(ready).as("the server's first line").startsWith("ready ");
      String serverAddr = ready.substring("ready ".length());

      Process client = new ProcessBuilder(peerCommand(nsClient, "client", "/ip4/" + CLIENT_IP + "/udp/0/quic-v1", serverAddr))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      LinkedBlockingQueue<String> clientOut = lines(client);
      String udp = clientOut.poll(60, TimeUnit.SECONDS);
      assertThat(udp).as("the client's first line").startsWith("udp ");
      Writer toServer = new java.io.OutputStreamWriter(server.getOutputStream(), StandardCharsets.UTF_8);
      toServer.write("probe " + udp.substring(4) + "\n");
      toServer.flush();

      String datagrams = clientOut.poll(60, TimeUnit.SECONDS);
      assertThat(datagrams).as("the path is a black hole for datagrams above its MTU, and only for those")
          .isEqualTo("datagrams " + List.of(SMALL, SMALL));
      String result = clientOut.poll(90, TimeUnit.SECONDS);
      assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(result).isEqualTo("end of stream, " + (long) BLOCKS * BLOCK + " bytes");
      assertThat(client.exitValue()).isZero();
      toServer.close(); // the server ends at the end of its input
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      if (server != null) {
        server.destroyForcibly();
      }
      ip("netns", "del", nsServer);
      ip("netns", "del", nsClient); // takes the veth pair with it
    }
  }

  private static List<String> peerCommand(String namespace, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
        ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
        "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        Peer.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static LinkedBlockingQueue<String> lines(Process p) {
    LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          q.add(line);
        }
      } catch (IOException e) {
        q.add("read failed: " + e);
      }
    }, "pmtu-test-reader");
    t.setDaemon(true);
    t.start();
    return q;
  }

  private static int ip(String... args) throws InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1; // no ip binary
    }
  }

  private static void require(int exit) {
    assertThat(exit).as("ip command exit").isZero();
  }

  /**
   * One side, in its namespace. {@code server LISTEN}: prints {@code ready MULTIADDR}, answers
   * blocks_by_range with 64 × 100 KiB, and for each input line {@code probe PORT} sends two UDP
   * datagrams of 1000 and two of 1400 bytes to the client's address and that port; exits at the end
   * of its input. {@code client LISTEN SERVER}: prints {@code udp PORT}, then {@code datagrams
   * [sizes]} received within 3 s of the first, then the outcome of the request.
   */
  public static final class Peer {
    public static void main(String[] args) throws Exception {
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      if (args[0].equals("server")) {
        server(args[1], out);
      } else {
        client(args[1], args[2], out);
      }
      System.exit(0);
    }

    private static void server(String listen, PrintStream out) throws Exception {
      byte[] block = new byte[BLOCK];
      new Random(1).nextBytes(block); // incompressible: the packets are full
      LeanNetwork[] net = new LeanNetwork[1];
      net[0] = LeanNetwork.start(NetworkConfig.builder().name("pmtu-server").listen(listen).build(), e -> {
        if (e instanceof NetworkEvent.InboundRequest r) {
          for (int i = 0; i < BLOCKS; i++) {
            net[0].sendResponseChunk(r.channelId(), block, Duration.ofSeconds(30));
          }
          net[0].endResponse(r.channelId());
        }
      });
      out.println("ready " + net[0].awaitReady(Duration.ofSeconds(30)).get(0));
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(SERVER_IP), 0))) {
        while ((line = in.readLine()) != null) {
          if (line.startsWith("probe ")) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(CLIENT_IP), Integer.parseInt(line.substring(6)));
            for (int size : new int[] {LARGE, SMALL, LARGE, SMALL}) {
              udp.send(new DatagramPacket(new byte[size], size, to));
            }
          }
        }
      }
      net[0].close();
    }

    private static void client(String listen, String serverAddr, PrintStream out) throws Exception {
      List<Integer> sizes = new ArrayList<>();
      try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(CLIENT_IP), 0))) {
        out.println("udp " + udp.getLocalPort());
        udp.setSoTimeout(60_000); // the first datagram: the test sends the probe line when it read ours
        byte[] buf = new byte[2048];
        try {
          while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            udp.receive(p);
            sizes.add(p.getLength());
            udp.setSoTimeout(3_000);
          }
        } catch (SocketTimeoutException done) {
          out.println("datagrams " + sizes);
        }
      }
      PeerId server = PeerId.fromBase58(serverAddr.substring(serverAddr.indexOf("/p2p/") + 5));
      CompletableFuture<Void> connected = new CompletableFuture<>();
      CompletableFuture<String> done = new CompletableFuture<>();
      AtomicLong bytes = new AtomicLong();
      try (LeanNetwork net = LeanNetwork.start(NetworkConfig.builder().name("pmtu-client").listen(listen)
          .reqresp(ReqRespConfig.leanDefaults().withRequestTimeout(Duration.ofSeconds(20))).build(), e -> {
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
        net.dial(serverAddr);
        connected.get(30, TimeUnit.SECONDS);
        RequestHandle h = net.sendRequest(server, LeanProtocol.BLOCKS_BY_RANGE, new BlocksByRangeRequest(0, BLOCKS).encode());
        String how;
        try {
          how = h.isAccepted() ? done.get(60, TimeUnit.SECONDS) : "refused: " + h.outcome();
        } catch (TimeoutException e) {
          how = "nothing within 60 s";
        }
        out.println(how + ", " + bytes.get() + " bytes");
      }
    }
  }
}
