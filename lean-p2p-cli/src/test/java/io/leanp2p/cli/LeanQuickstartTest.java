package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.util.Hex;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code lean-p2p node} processes started as lean-quickstart starts a binary-mode client, from a
 * lean-quickstart-style genesis directory (two key files, a nodes.yaml listing both nodes' ENRs with
 * only id, ip, quic and secp256k1, a config.yaml): each skips its own entry, dials the other over
 * QUIC, and both metrics endpoints show {@code lean_connected_peers >= 1} and
 * {@code lean_gossip_mesh_peers >= 1}.
 */
class LeanQuickstartTest {
  private static final Pattern METRICS_URL = Pattern.compile("Prometheus metrics: (http://\\S+/metrics)");

  /** One node process: its output lines and the metrics URL it printed. */
  static final class NodeProcess implements AutoCloseable {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> metricsUrl = new CompletableFuture<>();

    NodeProcess(List<String> command, Path log) throws IOException {
      ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
      process = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null && lines.size() < 10_000; ) {
            lines.add(line);
            Matcher m = METRICS_URL.matcher(line);
            if (m.find()) {
              metricsUrl.complete(m.group(1));
            }
          }
        } catch (IOException e) {
          // the process ended
        }
        metricsUrl.completeExceptionally(new IllegalStateException("node exited before serving metrics: " + lines));
      }, "node-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy(); // SIGTERM: the node closes its network and exits
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The sum of every sample of {@code name} in a Prometheus text page (-1 when absent). */
  static double sum(String page, String name) {
    double total = -1;
    for (String line : page.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        total = Math.max(total, 0) + Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  static String scrape(HttpClient http, String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  @Test
  @Timeout(240)
  void twoNodesJoinFromALeanQuickstartDirectoryAndExportLeanMetrics(@TempDir Path dir) throws Exception {
    SecureRandom random = new SecureRandom();
    Path genesis = Files.createDirectories(dir.resolve("genesis"));
    int[] quic = {freeUdpPort(), freeUdpPort()};
    StringBuilder nodesYaml = new StringBuilder("# lean-quickstart nodes.yaml: every node's ENR\n");
    for (int i = 0; i < 2; i++) {
      Secp256k1PrivateKey key = Secp256k1PrivateKey.generate(random);
      Files.writeString(genesis.resolve("lean-p2p_" + i + ".key"), Hex.encode(key.raw()) + "\n"); // 64 hex, no 0x
      nodesYaml.append("- ").append(BootnodesTest.quickstartEnr(key, quic[i])).append('\n');
    }
    Files.writeString(genesis.resolve("nodes.yaml"), nodesYaml);
    Files.writeString(genesis.resolve("config.yaml"), "GENESIS_TIME: 1767225600\nVALIDATOR_COUNT: 0\nACTIVE_EPOCH: 10\n");

    List<NodeProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        String item = "lean-p2p_" + i;
        List<String> args = List.of(
            "--data-dir", dir.resolve("data").resolve(item).toString(),
            "--genesis", genesis.resolve("config.yaml").toString(),
            "--validators", genesis.resolve("annotated_validators.yaml").toString(),
            "--bootnodes", genesis.resolve("nodes.yaml").toString(),
            "--node-id", item,
            "--node-key", genesis.resolve(item + ".key").toString(),
            "--listen-port", Integer.toString(quic[i]),
            "--metrics-port", "0", "--metrics-address", "127.0.0.1",
            "--api-port", "0",
            "--print-interval", "1");
        NodeProcess n = new NodeProcess(ChildJvm.command(List.of("-Xmx256m",
            "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener"), "node", args), dir.resolve(item + ".stderr"));
        nodes.add(n);
        // one after the other, as lean-quickstart's spin-node.sh starts them: node 0 is up (and has
        // dialed node 1 in vain, to retry later) before node 1 starts and dials node 0
        n.metricsUrl.get(120, TimeUnit.SECONDS);
      }
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      List<String> urls = new ArrayList<>();
      for (NodeProcess n : nodes) {
        urls.add(n.metricsUrl.get(1, TimeUnit.SECONDS));
      }
      String[] pages = new String[2];
      boolean joined = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      while (!joined && System.nanoTime() < deadline) {
        joined = true;
        for (int i = 0; i < 2; i++) {
          pages[i] = scrape(http, urls.get(i));
          joined &= sum(pages[i], "lean_connected_peers") >= 1 && sum(pages[i], "lean_gossip_mesh_peers") >= 1;
        }
        if (!joined) {
          Thread.sleep(250); // polling another process's endpoint: there is no event to wait on
        }
      }
      for (int i = 0; i < 2; i++) {
        List<String> lines = nodes.get(i).lines;
        String what = "node " + i + " output (last lines) " + lines.subList(Math.max(0, lines.size() - 25), lines.size())
            + "\nmetrics:\n" + pages[i];
        assertThat(sum(pages[i], "lean_connected_peers")).as(what).isGreaterThanOrEqualTo(1);
        assertThat(sum(pages[i], "lean_gossip_mesh_peers")).as(what).isGreaterThanOrEqualTo(1);
        assertThat(pages[i]).contains("# TYPE lean_connected_peers gauge", "# TYPE lean_gossip_mesh_peers gauge");
        List<String> out = nodes.get(i).lines;
        assertThat(out).as(what).contains("skipping 1 bootnode entry(ies) naming this node", "dialing 1 bootnode(s)",
            "peers: at most 64 (48 inbound), silent grace 30 s, graylist backoff 600 s");
        assertThat(out.stream().filter(l -> l.startsWith("not used by this node")).toList()).as(what)
            .singleElement().asString()
            .contains("--genesis " + genesis.resolve("config.yaml"), "--validators", "--api-port 0");
      }
    } finally {
      for (NodeProcess n : nodes) {
        n.close();
      }
    }
    for (NodeProcess n : nodes) {
      assertThat(n.process.exitValue()).as("exit after SIGTERM; output " + n.lines).isIn(0, 143);
    }
  }
}
