package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The launcher script passes exactly the JVM options {@link JvmOptions} defines, per subcommand. */
class JvmOptionsTest {
  @Test
  void launcherScriptMatchesJvmOptions() throws Exception {
    Path script = Path.of("..", "lean-p2p");
    assertThat(script).exists();
    Map<String, List<String>> inScript = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^\\s+(\\w[\\w-]*)\\) jvm=\"([^\"]*)\" ;;$").matcher(Files.readString(script));
    while (m.find()) {
      inScript.put(m.group(1), List.of(m.group(2).trim().split("\\s+")));
    }
    assertThat(inScript).containsExactlyInAnyOrderEntriesOf(Map.of(
        "node", JvmOptions.NODE,
        "devnet", JvmOptions.DEVNET,
        "peer", JvmOptions.PEER));
  }

  @Test
  void childJvmsCarryTheirOptions() {
    List<String> cmd = ChildJvm.command(JvmOptions.PEER, "peer", List.of("--x"));
    assertThat(cmd).containsSubsequence(JvmOptions.PEER);
    assertThat(cmd.subList(cmd.size() - 2, cmd.size())).containsExactly("peer", "--x");
  }
}
