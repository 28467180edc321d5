package io.leanp2p.transport.multistream;

import io.leanp2p.util.DecodeException;
import java.util.List;

/** Test-only access for the fuzz targets in {@code io.leanp2p.fuzz}: the {@code ls} answer codec. */
public final class MultistreamFuzzAccess {
  private MultistreamFuzzAccess() {}

  public static List<String> decodeList(byte[] body) throws DecodeException {
    return Multistream.decodeList(body);
  }

  public static byte[] encodeList(List<String> protocols) {
    return Multistream.encodeList(protocols);
  }
}
