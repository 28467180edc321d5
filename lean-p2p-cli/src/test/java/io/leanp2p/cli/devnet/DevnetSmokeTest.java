package io.leanp2p.cli.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.cli.Main;
import io.leanp2p.peerclient.JsonLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A small real devnet in this JVM: 3 nodes, 8 short slots, a late node that joins in slot 3 and
 * syncs; over QUIC and over TCP. Every block and every attestation must reach every node that was
 * in the network when it was published, the late node included from the slot it joined in.
 */
class DevnetSmokeTest {
  @ParameterizedTest
  @ValueSource(strings = {"quic", "tcp"})
  @Timeout(120)
  void everyNodeGetsEveryBlockAndAttestationAndTheLateNodeSyncs(String transport, @TempDir Path dir) throws Exception {
    Path json = dir.resolve("summary.json");
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
        "devnet", "--nodes", "3", "--slots", "8", "--slot-ms", "700", "--block-size", "20000",
        "--late-join-slot", "2", "--seed", "7", "--transport", transport, "--json", json.toString());
    Map<String, Object> s = JsonLines.parseObject(Files.readString(json));
    String context = JsonLines.write(s) + "\n" + out + err;
    assertThat(((Number) s.get("blocksPublished")).intValue()).isEqualTo(8);
    @SuppressWarnings("unchecked")
    Map<String, Object> sync = (Map<String, Object>) s.get("sync");
    // the late node is started in slot 3 and joins before that slot's publishes
    assertThat(((Number) sync.get("startedSlot")).intValue()).as(context).isEqualTo(3);
    assertThat(((Number) sync.get("countedFromSlot")).intValue()).as(context).isEqualTo(3);
    // blocks: 2 receivers in slots 1-2, 3 receivers (the late node included) in slots 3-8
    assertThat(((Number) s.get("expectedDeliveries")).intValue()).isEqualTo(2 * 2 + 6 * 3);
    assertThat(s).as(context).containsEntry("everyNodeGotEveryBlock", true);
    assertThat((List<?>) s.get("missing")).isEmpty();
    // attestations: 3 x 2 in slots 1-2, 4 x 3 in slots 3-8, every one of them received
    assertThat(((Number) s.get("attestationsExpected")).intValue()).isEqualTo(2 * 6 + 6 * 12);
    assertThat(((Number) s.get("attestationsReceived")).intValue()).as(context).isEqualTo(2 * 6 + 6 * 12);
    assertThat(s).as(context).containsEntry("everyNodeGotEveryAttestation", true);
    assertThat((List<?>) sync.get("problems")).isEmpty();
    assertThat(((Number) sync.get("blocks")).intValue()).isGreaterThanOrEqualTo(2);
    assertThat(out.toString()).contains("every node got every attestation published while it was in the network: YES",
        "joined (connected, subscriptions known both ways) before the publishes of slot 3");
    assertThat(s).containsEntry("ok", true);
    assertThat(code).isZero();
  }
}
