package io.leanp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MultihashTest {
  @Test
  void knownValues() throws DecodeException {
    // sha2-256("hello world"), as in the multihash spec examples
    byte[] mh = Multihash.sha256("hello world".getBytes(StandardCharsets.US_ASCII));
    assertThat(Hex.encode(mh))
        .isEqualTo("1220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    Multihash parsed = Multihash.fromBytes(mh);
    assertThat(parsed.code()).isEqualTo(Multihash.SHA2_256);
    assertThat(parsed.digest()).hasSize(32);
    assertThat(parsed.toBytes()).isEqualTo(mh);
    assertThat(Hex.encode(Multihash.identity(new byte[] {1, 2}))).isEqualTo("00020102");
    assertThat(Multihash.fromBytes(Hex.decode("0000")).digest()).isEmpty();
  }

  @Test
  void rejections() {
    assertThatThrownBy(() -> Multihash.fromBytes(new byte[0])).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Multihash.fromBytes(Hex.decode("1114" + "00".repeat(20))))
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.UNSUPPORTED));
    assertThatThrownBy(() -> Multihash.fromBytes(Hex.decode("0003aabb")))
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TRUNCATED));
    assertThatThrownBy(() -> Multihash.fromBytes(Hex.decode("0001aabb")))
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TRAILING_BYTES));
    assertThatThrownBy(() -> Multihash.fromBytes(Hex.decode("00ffffffff0f")))
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TOO_LARGE));
  }

  @Property
  void identityRoundTrip(@ForAll @Size(max = 42) byte[] data) throws DecodeException {
    Multihash m = Multihash.fromBytes(Multihash.identity(data));
    assertThat(m.digest()).isEqualTo(data);
    assertThat(m).isEqualTo(Multihash.fromBytes(m.toBytes()));
  }

  @Property
  void garbageOnlyDecodeException(@ForAll @Size(max = 50) byte[] in) {
    try {
      assertThat(Multihash.fromBytes(in).toBytes()).isEqualTo(in);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }
}
