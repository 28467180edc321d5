package io.leanp2p.protocol.identify;

import com.google.protobuf.InvalidProtocolBufferException;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.util.DecodeException;
import java.util.List;

/** Test-only access for the fuzz targets in {@code io.leanp2p.fuzz}: the identify message decoder. */
public final class IdentifyFuzzAccess {
  private final Identify identify;

  public IdentifyFuzzAccess(PrivateKey key) {
    this.identify = new Identify(key, List::of, new ProtocolRegistry(), null, 0);
  }

  /** Decodes one identify message as the requester does once the whole message has arrived. */
  public IdentifyInfo decode(byte[] msg, PeerId expected)
      throws InvalidProtocolBufferException, DecodeException {
    return identify.decode(msg, expected);
  }

  /** Addresses the decoder skipped as undecodable so far. */
  public long badAddresses() {
    return identify.badAddresses();
  }
}
