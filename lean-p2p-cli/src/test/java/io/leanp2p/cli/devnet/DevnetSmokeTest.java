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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A small real devnet in this JVM: 3 nodes over QUIC, 8 short slots, a late node that syncs and then gets blocks by gossip. */
class DevnetSmokeTest {
  @Test
  @Timeout(90)
  void everyNodeGetsEveryBlockAndTheLateNodeSyncs(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("summary.json");
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
        "devnet", "--nodes", "3", "--slots", "8", "--slot-ms", "700", "--block-size", "20000",
        "--late-join-slot", "2", "--seed", "7", "--json", json.toString());
    Map<String, Object> s = JsonLines.parseObject(Files.readString(json));
    assertThat(s).as(JsonLines.write(s) + "\n" + out + err).containsEntry("everyNodeGotEveryBlock", true);
    assertThat(((Number) s.get("blocksPublished")).intValue()).isEqualTo(8);
    // 2 receivers per block among the first three nodes, and the late node for at least one block
    assertThat(((Number) s.get("expectedDeliveries")).intValue()).isGreaterThanOrEqualTo(2 * 8 + 1);
    @SuppressWarnings("unchecked")
    Map<String, Object> sync = (Map<String, Object>) s.get("sync");
    assertThat((List<?>) sync.get("problems")).isEmpty();
    assertThat(((Number) sync.get("blocks")).intValue()).isGreaterThanOrEqualTo(2);
    assertThat(s).containsEntry("ok", true);
    assertThat(code).isZero();
  }
}
