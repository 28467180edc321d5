package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.crypto.enr.Enr;
import io.leanp2p.util.Hex;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrCommandTest {
  static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void printsTheSignedMinimalEnrOfAKeyFile(@TempDir Path dir) throws Exception {
    Secp256k1PrivateKey key = Secp256k1PrivateKey.generate(new SecureRandom());
    Path file = dir.resolve("lean-p2p_0.key");
    Files.writeString(file, Hex.encode(key.raw()) + "\n"); // as lean-quickstart writes it: 64 hex, no 0x
    String[] r = run("enr", "--node-key", file.toString(), "--ip", "10.0.0.7", "--quic-port", "9008");
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    Enr enr = Enr.parseVerified(r[1].strip());
    assertThat(enr.keys()).containsExactly("id", "ip", "quic", "secp256k1");
    assertThat(enr.ip4().orElseThrow().getHostAddress()).isEqualTo("10.0.0.7");
    assertThat(enr.quicPort().orElseThrow()).isEqualTo(9008);
    assertThat(enr.peerId().orElseThrow()).isEqualTo(PeerId.fromPublicKey(key.publicKey()));
    assertThat(enr.seq()).isEqualTo(1);
  }

  @Test
  void yamlAndVerboseForms(@TempDir Path dir) throws Exception {
    Secp256k1PrivateKey key = Secp256k1PrivateKey.generate(new SecureRandom());
    Path file = dir.resolve("k");
    Files.writeString(file, Hex.encode(key.raw()));
    String[] r = run("enr", "--key-file", file.toString(), "--ip", "127.0.0.1", "--listen-port", "80", "--yaml",
        "--verbose", "--seq", "7");
    assertThat(r[0]).isEqualTo("0");
    String[] lines = r[1].strip().split("\n");
    assertThat(lines[0]).startsWith("- enr:");
    assertThat(Enr.parseVerified(lines[0].substring(2)).seq()).isEqualTo(7);
    assertThat(lines[1]).isEqualTo("# peer id: " + PeerId.fromPublicKey(key.publicKey()));
    assertThat(lines[2]).contains("/ip4/127.0.0.1/udp/80/quic-v1/p2p/");
  }

  @Test
  void badValuesAreUsageErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("k");
    Files.writeString(file, Hex.encode(Secp256k1PrivateKey.generate(new SecureRandom()).raw()));
    assertThat(run("enr", "--node-key", file.toString(), "--ip", "300.1.1.1", "--quic-port", "1")[0]).isEqualTo("2");
    assertThat(run("enr", "--node-key", file.toString(), "--ip", "1.1.1.1", "--quic-port", "0")[0]).isEqualTo("2");
    assertThat(run("enr", "--node-key", file.toString(), "--quic-port", "1")[2]).contains("--ip");
  }
}
