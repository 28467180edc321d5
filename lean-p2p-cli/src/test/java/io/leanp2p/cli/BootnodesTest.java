package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.crypto.enr.Enr;
import io.leanp2p.node.LeanNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootnodesTest {
  static final SecureRandom RANDOM = new SecureRandom();

  /** An ENR with exactly lean-quickstart's keys: id, ip, quic, secp256k1. */
  static String quickstartEnr(Secp256k1PrivateKey key, int quicPort) {
    return Enr.create(key, 1, Map.of("ip", new byte[] {127, 0, 0, 1}, "quic", EnrCommand.port(quicPort))).toText();
  }

  @Test
  void aQuickstartEnrCarriesOnlyTheMinimalKeysAndIsDialableOverQuic() throws Exception {
    Secp256k1PrivateKey key = Secp256k1PrivateKey.generate(RANDOM);
    String text = quickstartEnr(key, 9001);
    Enr enr = Enr.parseVerified(text);
    assertThat(enr.keys()).containsExactly("id", "ip", "quic", "secp256k1");
    assertThat(LeanNetwork.parseDialable(text).toString())
        .isEqualTo("/ip4/127.0.0.1/udp/9001/quic-v1/p2p/" + PeerId.fromPublicKey(key.publicKey()));
  }

  @Test
  void readsANodesYamlAndSkipsTheEntryOfThisNode(@TempDir Path dir) throws Exception {
    Secp256k1PrivateKey me = Secp256k1PrivateKey.generate(RANDOM);
    Secp256k1PrivateKey other = Secp256k1PrivateKey.generate(RANDOM);
    Path yaml = dir.resolve("nodes.yaml");
    Files.writeString(yaml, "# generated\n- " + quickstartEnr(me, 9000) + "\n- \"" + quickstartEnr(other, 9001) + "\"\n");
    List<String> all = Bootnodes.expand(List.of(yaml.toString()));
    assertThat(all).hasSize(2);
    List<String> rest = Bootnodes.withoutSelf(all, PeerId.fromPublicKey(me.publicKey()));
    assertThat(rest).containsExactly(quickstartEnr(other, 9001));
    assertThat(Bootnodes.expand(List.of("@" + yaml))).isEqualTo(all);
  }

  @Test
  void aTextFileHasOneEntryPerLineWithComments(@TempDir Path dir) throws Exception {
    Secp256k1PrivateKey k = Secp256k1PrivateKey.generate(RANDOM);
    Path txt = dir.resolve("peers.txt");
    Files.writeString(txt, "# comment\n\n/ip4/1.2.3.4/tcp/9000\n" + quickstartEnr(k, 9002) + ", /ip4/5.6.7.8/udp/1/quic-v1\n");
    assertThat(Bootnodes.expand(List.of(txt.toString())))
        .containsExactly("/ip4/1.2.3.4/tcp/9000", quickstartEnr(k, 9002), "/ip4/5.6.7.8/udp/1/quic-v1");
  }

  @Test
  void anEmptyNodesYamlMeansNoBootnodes(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("nodes.yaml");
    Files.writeString(yaml, "");
    assertThat(Bootnodes.expand(List.of(yaml.toString()))).isEmpty();
  }

  @Test
  void badFilesAreUsageErrorsThatSayWhatIsExpected(@TempDir Path dir) throws Exception {
    Path map = dir.resolve("map.yaml");
    Files.writeString(map, "a: 1\n");
    assertThatThrownBy(() -> Bootnodes.expand(List.of(map.toString())))
        .isInstanceOf(UsageException.class).hasMessageContaining("YAML list");
    Path nested = dir.resolve("nested.yaml");
    Files.writeString(nested, "- [1, 2]\n");
    assertThatThrownBy(() -> Bootnodes.expand(List.of(nested.toString())))
        .isInstanceOf(UsageException.class).hasMessageContaining("must be a string");
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "- \"unterminated\n");
    assertThatThrownBy(() -> Bootnodes.expand(List.of(broken.toString())))
        .isInstanceOf(UsageException.class).hasMessageContaining("not valid YAML");
    Path badEnr = dir.resolve("bad.yaml");
    Files.writeString(badEnr, "- enr:-notanenr\n");
    assertThatThrownBy(() -> Bootnodes.expand(List.of(badEnr.toString())))
        .isInstanceOf(UsageException.class).hasMessageContaining("bad ENR").hasMessageContaining("lean-p2p enr");
    Path huge = dir.resolve("huge.yaml");
    Files.write(huge, new byte[(int) Bootnodes.MAX_FILE_BYTES + 1]);
    assertThatThrownBy(() -> Bootnodes.expand(List.of(huge.toString())))
        .isInstanceOf(UsageException.class).hasMessageContaining("more than");
    assertThatThrownBy(() -> Bootnodes.expand(List.of(dir.resolve("nope.yaml").toString())))
        .isInstanceOf(UsageException.class).hasMessageContaining("nodes.yaml");
  }
}
