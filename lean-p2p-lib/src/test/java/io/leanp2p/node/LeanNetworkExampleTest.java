package io.leanp2p.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.lean.GossipTopic;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.lean.LeanProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The example in {@link LeanNetwork}'s Javadoc is this file's {@link #example} and compiles and runs. */
class LeanNetworkExampleTest {

  // ---- the example, verbatim (between the markers) ----
  static Outcome example(byte[] blockSsz, PeerId peer, byte[] statusSsz) throws Exception {
    // example:begin
    LeanNetwork net = LeanNetwork.start(NetworkConfig.builder().build(), event -> {});
    net.awaitReady(Duration.ofSeconds(5));
    String topic = GossipTopic.block("12345678").format();
    net.subscribe(topic);
    Outcome o = net.publish(topic, blockSsz);
    RequestHandle r = net.sendRequest(peer, LeanProtocol.STATUS, statusSsz);
    net.close();
    // example:end
    assertThat(r.outcome()).isEqualTo(Outcome.NOT_CONNECTED);
    return o;
  }

  @Test
  void theJavadocExampleIsTheCodeThatCompilesHere() throws Exception {
    String javadoc = Files.readString(Path.of("src/main/java/io/leanp2p/node/LeanNetwork.java"));
    Matcher m = Pattern.compile("<pre>\\{@code\\n(.*?)\\n \\* \\}</pre>", Pattern.DOTALL).matcher(javadoc);
    assertThat(m.find()).as("LeanNetwork has a code example").isTrue();
    List<String> documented = m.group(1).lines().map(l -> l.replaceFirst("^ \\* ?", "").strip()).toList();
    String self = Files.readString(Path.of("src/test/java/io/leanp2p/node/LeanNetworkExampleTest.java"));
    String body = self.substring(self.indexOf("// example:begin") + "// example:begin".length(), self.indexOf("// example:end"));
    List<String> compiled = body.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    assertThat(documented).isEqualTo(compiled);
  }

  @Test
  void theExampleRuns() throws Exception {
    PeerId stranger = PeerId.fromPublicKey(Secp256k1PrivateKey.generate(new SecureRandom()).publicKey());
    assertThat(example(new byte[] {1, 2, 3}, stranger, new byte[80])).isEqualTo(Outcome.ACCEPTED);
  }
}
