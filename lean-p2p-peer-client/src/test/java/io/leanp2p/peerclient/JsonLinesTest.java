package io.leanp2p.peerclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLinesTest {
  enum Kind {
    A;

    @Override
    public String toString() {
      return "kind-a";
    }
  }

  @Test
  void readsValuesWithExactNumbersAndOrderedObjects() throws Exception {
    Map<String, Object> m = JsonLines.parseObject(
        " {\"b\":1,\"a\":[true,null,\"x\\n\\u00e9\"],\"ts\":2.500000,\"big\":18446744073709551615,\"n\":-7} ");
    assertThat(m.keySet()).containsExactly("b", "a", "ts", "big", "n");
    assertThat(m.get("b")).isEqualTo(1);
    assertThat(m.get("a")).isEqualTo(java.util.Arrays.asList(true, null, "x\né"));
    assertThat(m.get("ts")).isEqualTo(new BigDecimal("2.500000"));
    assertThat(m.get("big")).isEqualTo(new BigInteger("18446744073709551615"));
    assertThat(JsonLines.integer(m.get("n"))).isEqualTo(-7L);
    assertThat(JsonLines.integer(m.get("ts"))).isNull();
    assertThat(JsonLines.integer(new BigDecimal("5.0"))).isEqualTo(5L);
    assertThat(JsonLines.integer(m.get("big"))).isNull(); // beyond a long
    assertThat(JsonLines.integer("5")).isNull();
  }

  @Test
  void rejectsWhatIsNotOneStrictJsonValue() {
    for (String bad : new String[] {"", "{", "{\"a\":1} x", "{\"a\":1}{}", "{'a':1}", "{a:1}", "[1,]",
        "{\"a\":01}", "{\"a\":NaN}", "// c\n{}", "{\"a\":\"\t\"}", "[".repeat(200) + "]".repeat(200)}) {
      assertThatThrownBy(() -> JsonLines.parse(bad)).as(bad.length() > 40 ? "deep nesting" : bad)
          .isInstanceOf(JsonLines.MalformedJson.class);
    }
    assertThatThrownBy(() -> JsonLines.parseObject("[1]")).isInstanceOf(JsonLines.MalformedJson.class)
        .hasMessageContaining("not an object");
  }

  @Test
  void takesAStringAsLongAsATenMibPayloadInHex() throws Exception {
    String hex = "ab".repeat(10 * 1024 * 1024);
    Map<String, Object> m = JsonLines.parseObject("{\"cmd\":\"publish\",\"dataHex\":\"" + hex + "\"}");
    assertThat((String) m.get("dataHex")).hasSize(hex.length());
  }

  @Test
  void writesOneLineOfPlainJsonValues() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", "ping");
    m.put("ts", BigDecimal.valueOf(2_500_000).movePointLeft(6));
    m.put("big", new BigDecimal("1E+3"));
    m.put("nan", Double.NaN);
    m.put("inf", Double.POSITIVE_INFINITY);
    m.put("d", 1.25);
    m.put("kind", Kind.A);
    m.put("path", Path.of("/tmp/x"));
    m.put("list", List.of(1L, "two\n", false));
    m.put("none", null);
    assertThat(JsonLines.write(m)).isEqualTo("{\"event\":\"ping\",\"ts\":2.500000,\"big\":1000,\"nan\":null,"
        + "\"inf\":null,\"d\":1.25,\"kind\":\"kind-a\",\"path\":\"/tmp/x\",\"list\":[1,\"two\\n\",false],"
        + "\"none\":null}");
  }

  @Test
  void aRecordIsWrittenAsItsText() {
    record Point(int x, int y) {}
    assertThat(JsonLines.write(Map.of("p", new Point(1, 2)))).isEqualTo("{\"p\":\"Point[x=1, y=2]\"}");
  }
}
