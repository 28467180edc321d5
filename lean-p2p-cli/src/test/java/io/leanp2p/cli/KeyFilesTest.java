package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
  @Test
  void createsA0600KeyFileAndLoadsTheSameKeyAgain(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("sub/node.key");
    Secp256k1PrivateKey k = KeyFiles.loadOrCreate(f, new SecureRandom());
    assertThat(Files.readString(f).strip()).hasSize(64);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    Secp256k1PrivateKey again = KeyFiles.loadOrCreate(f, new SecureRandom());
    assertThat(again.raw()).isEqualTo(k.raw());
  }

  @Test
  void badKeyFilesAreUsageErrors(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.key");
    Files.writeString(f, "zz");
    assertThatThrownBy(() -> KeyFiles.load(f)).isInstanceOf(UsageException.class).hasMessageContaining("--key-file");
    Files.writeString(f, "00".repeat(32));
    assertThatThrownBy(() -> KeyFiles.load(f)).isInstanceOf(UsageException.class);
    Files.writeString(f, "ab".repeat(2000));
    assertThatThrownBy(() -> KeyFiles.load(f)).isInstanceOf(UsageException.class).hasMessageContaining("1 KiB");
    assertThatThrownBy(() -> KeyFiles.parseHex("12", "--key-hex")).isInstanceOf(UsageException.class);
  }
}
