package io.leanp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class Base58Test {
  @Test
  void knownVectors() throws DecodeException {
    assertThat(Base58.encode("Hello World!".getBytes(StandardCharsets.US_ASCII))).isEqualTo("2NEpo7TZRRrLZSi2U");
    assertThat(Base58.encode(Hex.decode("000000287fb4cd"))).isEqualTo("111233QC4");
    assertThat(Base58.encode(new byte[0])).isEmpty();
    assertThat(Base58.decode("111233QC4")).isEqualTo(Hex.decode("000000287fb4cd"));
    assertThat(Base58.decode("")).isEmpty();
    assertThat(Base58.decode("1")).isEqualTo(new byte[1]);
  }

  @Test
  void rejectsBadCharactersAndOversizedInput() {
    for (String bad : new String[] {"0", "O", "I", "l", "abc+", "é", "2NEpo7TZRRrLZSi2U "}) {
      assertThatThrownBy(() -> Base58.decode(bad)).isInstanceOf(DecodeException.class);
    }
    assertThatThrownBy(() -> Base58.decode("2".repeat(Base58.MAX_DECODE_CHARS + 1)))
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TOO_LARGE));
  }

  @Property
  void roundTrip(@ForAll byte[] data) throws DecodeException {
    assertThat(Base58.decode(Base58.encode(data))).isEqualTo(data);
  }

  @Property
  void garbageTextOnlyDecodeException(@ForAll("text") String s) {
    try {
      byte[] b = Base58.decode(s);
      assertThat(Base58.encode(b)).isEqualTo(s);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.strings().withChars("123456789ABCHJNPZabkmz0OIl+/ é").ofMaxLength(60);
  }
}
