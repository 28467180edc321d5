package io.leanp2p.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** The fixtures rule: a missing fixture folder fails the test under CI=true and skips it elsewhere. */
class FixturesTest {
  @TempDir
  Path tmp;

  @Test
  void aMissingFolderFailsUnderCi() {
    Path missing = tmp.resolve("no-fixtures");
    assertThatThrownBy(() -> Fixtures.requireFolder(missing, "true"))
        .isInstanceOf(AssertionError.class)
        .isNotInstanceOf(TestAbortedException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("CI=true");
    assertThatThrownBy(() -> Fixtures.requireFolder(missing, "TRUE ")).isInstanceOf(AssertionError.class);
  }

  @Test
  void aMissingFolderIsSkippedWithTheReasonElsewhere() {
    Path missing = tmp.resolve("no-fixtures");
    for (String ci : new String[] {null, "", "false", "1"}) {
      assertThatThrownBy(() -> Fixtures.requireFolder(missing, ci)).as("CI=" + ci)
          .isInstanceOf(TestAbortedException.class)
          .hasMessageContaining("leanSpec fixtures not found at " + missing)
          .hasMessageContaining("skipped");
    }
  }

  @Test
  void aPresentFolderIsReturnedEitherWay() {
    assertThat(Fixtures.requireFolder(tmp, "true")).isEqualTo(tmp);
    assertThat(Fixtures.requireFolder(tmp, null)).isEqualTo(tmp);
  }

  @Test
  void readsFixtureNumbersAsJsonDoes() throws Exception {
    Path f = tmp.resolve("case.json");
    java.nio.file.Files.writeString(f, "{\"c\":{\"slot\":18446744073709551615,\"now\":1.5,\"n\":3}}");
    java.util.Map<String, Object> body = Fixtures.get(Fixtures.readObject(f), "c");
    assertThat(Fixtures.u64(body.get("slot"))).isEqualTo(-1L); // uint64 max, two's complement
    assertThat(Fixtures.int32(body.get("n"))).isEqualTo(3);
    assertThat(body.get("now")).isEqualTo(new java.math.BigDecimal("1.5"));
  }
}
