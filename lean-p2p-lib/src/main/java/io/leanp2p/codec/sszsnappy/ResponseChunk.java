package io.leanp2p.codec.sszsnappy;

import io.leanp2p.util.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import io.leanp2p.lean.ResponseCode;

/**
 * One decoded response chunk: the code byte as received, the code it maps to, and the
 * uncompressed payload (SSZ for {@link ResponseCode#SUCCESS}, UTF-8 bytes otherwise). The payload
 * array belongs to the receiver.
 */
public record ResponseChunk(int wireCode, ResponseCode code, byte[] payload) {

  /** The payload read as UTF-8, malformed sequences replaced (a cut multi-byte char included). */
  public String errorMessage() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** True when the code is not {@link ResponseCode#SUCCESS}. */
  public boolean isError() {
    return code.isError();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResponseChunk c
        && c.wireCode == wireCode
        && c.code == code
        && Arrays.equals(c.payload, payload);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * wireCode + code.hashCode()) + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    String p = payload.length <= 64
        ? Hex.encode(payload)
        : Hex.encode(payload, 0, 64) + "...(" + payload.length + " bytes)";
    return "ResponseChunk[" + wireCode + "/" + code + ", " + p + "]";
  }
}
