package io.leanp2p.cabi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The numbers the adapter uses are the numbers the C header promises. */
class CodesTest {
  private static final Pattern ENUM_CONSTANT = Pattern.compile("\\b(LEAN_P2P_[A-Z_]+)\\s*=\\s*(\\d+)");
  private static final Pattern FLAG = Pattern.compile("#define\\s+(LEAN_P2P_FLAG_[A-Z_]+)\\s+(\\d+)u");

  static Map<String, Integer> headerConstants() throws IOException {
    Path header = Path.of(System.getProperty("user.dir"), "include", "lean_p2p.h");
    String text = Files.readString(header);
    Map<String, Integer> out = new HashMap<>();
    for (Pattern p : new Pattern[] {ENUM_CONSTANT, FLAG}) {
      Matcher m = p.matcher(text);
      while (m.find()) {
        out.put(m.group(1), Integer.parseInt(m.group(2)));
      }
    }
    return out;
  }

  @Test
  void everyConstantMatchesTheHeader() throws Exception {
    Map<String, Integer> header = headerConstants();
    int checked = 0;
    for (Field f : Codes.class.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class) {
        continue;
      }
      String name = "LEAN_P2P_" + f.getName();
      assertThat(header).as("header has %s", name).containsKey(name);
      assertThat(f.getInt(null)).as(name).isEqualTo(header.get(name));
      checked++;
    }
    assertThat(checked).isGreaterThan(50);
  }

  @Test
  void everyOutcomeAndFailureOfTheHeaderIsUsed() throws Exception {
    // each C outcome / rpc failure / close reason has a Java constant, so none is forgotten
    Map<String, Integer> header = headerConstants();
    for (String name : header.keySet()) {
      if (name.startsWith("LEAN_P2P_START_") || name.startsWith("LEAN_P2P_LOG_")
          || name.startsWith("LEAN_P2P_INBOUND") || name.startsWith("LEAN_P2P_OUTBOUND")) {
        continue; // start codes partly C-only (JVM, ids), the rest checked above
      }
      String field = name.substring("LEAN_P2P_".length());
      assertThat(hasField(field)).as("Codes.%s for %s", field, name).isTrue();
    }
  }

  @Test
  void everyAbandonedCommandOfTheHostApiHasItsNumber() {
    // the names NetworkEvent.CommandAbandoned#command() uses (the LeanNetwork methods)
    assertThat(Codes.command("publish")).isEqualTo(Codes.CMD_PUBLISH);
    assertThat(Codes.command("subscribe")).isEqualTo(Codes.CMD_SUBSCRIBE);
    assertThat(Codes.command("unsubscribe")).isEqualTo(Codes.CMD_UNSUBSCRIBE);
    assertThat(Codes.command("disconnect")).isEqualTo(Codes.CMD_DISCONNECT);
    assertThat(Codes.command("sendResponseChunk")).isEqualTo(Codes.CMD_RESPONSE_CHUNK);
    assertThat(Codes.command("endResponse")).isEqualTo(Codes.CMD_END_OF_STREAM);
    assertThat(Codes.command("sendErrorResponse")).isEqualTo(Codes.CMD_ERROR_RESPONSE);
    assertThat(Codes.command("reportValidation")).isEqualTo(Codes.CMD_REPORT_VALIDATION);
    assertThat(Codes.command("somethingNew")).isEqualTo(Codes.CMD_OTHER);
    assertThat(Codes.command(null)).isEqualTo(Codes.CMD_OTHER);
    assertThat(NativeNetwork.channelOf("channel 42")).isEqualTo(42);
    assertThat(NativeNetwork.channelOf("channel x")).isZero();
    assertThat(NativeNetwork.channelOf("/leanconsensus/t")).isZero();
    assertThat(NativeNetwork.channelOf(null)).isZero();
  }

  private static boolean hasField(String name) {
    try {
      Codes.class.getDeclaredField(name);
      return true;
    } catch (NoSuchFieldException e) {
      return false;
    }
  }
}
