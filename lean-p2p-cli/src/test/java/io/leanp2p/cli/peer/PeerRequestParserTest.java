package io.leanp2p.cli.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeerRequestParserTest {
  @Test
  void parsesEveryCommand() throws Exception {
    assertThat(PeerRequestParser.parse("{\"cmd\":\"dial\",\"addr\":\"/ip4/127.0.0.1/tcp/1\",\"id\":7}"))
        .isEqualTo(new PeerRequest.Dial(7, "/ip4/127.0.0.1/tcp/1", false, 0));
    assertThat(PeerRequestParser.parse("{\"cmd\":\"dial\",\"addr\":\"/ip4/127.0.0.1/tcp/1\",\"persistent\":true}"))
        .isEqualTo(new PeerRequest.Dial(null, "/ip4/127.0.0.1/tcp/1", true, 0));
    PeerRequest.Publish p = (PeerRequest.Publish) PeerRequestParser.parse("{\"cmd\":\"publish\",\"topic\":\"t\",\"dataHex\":\"0A0b\"}");
    assertThat(p.data()).containsExactly(0x0a, 0x0b);
    assertThat(p.topic()).isEqualTo("t");
    PeerRequest.Publish s = (PeerRequest.Publish) PeerRequestParser.parse("{\"cmd\":\"publish\",\"topic\":\"t\",\"size\":1024,\"id\":\"x\"}");
    assertThat(s.data()).isNull();
    assertThat(s.size()).isEqualTo(1024);
    assertThat(s.id()).isEqualTo("x");
    assertThat(PeerRequestParser.parse("{\"cmd\":\"ping\",\"peer\":\"16Uiu2abc\",\"timeoutMs\":500}"))
        .isEqualTo(new PeerRequest.Ping(null, "16Uiu2abc", 500));
    PeerRequest.Status st = (PeerRequest.Status) PeerRequestParser.parse("{\"cmd\":\"status\",\"peer\":\"p\"}");
    assertThat(st.data()).isEmpty();
    assertThat(PeerRequestParser.parse("{\"cmd\":\"subscribe\",\"topic\":\"a\"}")).isEqualTo(new PeerRequest.Subscribe(null, "a"));
    assertThat(PeerRequestParser.parse("{\"cmd\":\"unsubscribe\",\"topic\":\"a\"}")).isEqualTo(new PeerRequest.Unsubscribe(null, "a"));
    assertThat(PeerRequestParser.parse("{\"cmd\":\"info\"}")).isEqualTo(new PeerRequest.Info(null));
    assertThat(PeerRequestParser.parse(" {\"cmd\":\"stop\",\"id\":1} ")).isEqualTo(new PeerRequest.Stop(1));
    assertThat(PeerRequestParser.parse("   ")).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{", "not json", "[1,2]", "42", "{\"cmd\":1}", "{\"id\":3}", "{\"cmd\":\"dial\"}",
      "{\"cmd\":\"dial\",\"addr\":\"/ip4/127.0.0.1/tcp/1\",\"persistent\":\"yes\"}",
      "{\"cmd\":\"publish\",\"topic\":\"t\"}", "{\"cmd\":\"publish\",\"topic\":\"t\",\"dataHex\":\"zz\"}",
      "{\"cmd\":\"publish\",\"topic\":\"t\",\"dataHex\":\"abc\"}", "{\"cmd\":\"publish\",\"topic\":\"t\",\"size\":15}",
      "{\"cmd\":\"publish\",\"topic\":\"t\",\"size\":1.5}", "{\"cmd\":\"publish\",\"topic\":\"t\",\"size\":99999999999}",
      "{\"cmd\":\"publish\",\"topic\":\"t\",\"size\":20,\"dataHex\":\"00\"}", "{\"cmd\":\"publish\",\"topic\":\"\",\"size\":20}",
      "{\"cmd\":\"ping\",\"peer\":\"p\",\"timeoutMs\":-1}", "{\"cmd\":\"launch\"}", "{\"cmd\":\"info\",\"id\":[1]}",
      "{\"cmd\":\"status\",\"peer\":\"p\",\"dataHex\":7}"})
  void rejectsBadLinesWithAMessage(String line) {
    assertThatThrownBy(() -> PeerRequestParser.parse(line))
        .isInstanceOf(PeerProtocolException.class)
        .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
  }

  @Test
  void errorsCarryTheCommandAndIdWhenKnown() {
    assertThatThrownBy(() -> PeerRequestParser.parse("{\"cmd\":\"launch\",\"id\":\"abc\"}"))
        .isInstanceOfSatisfying(PeerProtocolException.class, e -> {
          assertThat(e.cmd()).isEqualTo("launch");
          assertThat(e.id()).isEqualTo("abc");
          assertThat(e.getMessage()).contains("unknown command");
        });
    assertThatThrownBy(() -> PeerRequestParser.parse("{oops"))
        .isInstanceOfSatisfying(PeerProtocolException.class, e -> {
          assertThat(e.cmd()).isNull();
          assertThat(e.getMessage()).contains("malformed JSON");
        });
  }
}
