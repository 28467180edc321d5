package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.protocol.identify.Identify;
import io.leanp2p.protocol.identify.IdentifyFuzzAccess;
import io.leanp2p.protocol.identify.IdentifyInfo;
import io.leanp2p.util.DecodeException;

/**
 * The identify message a peer answers with ({@code /ipfs/id/1.0.0}, at most {@link
 * Identify#MAX_MESSAGE} bytes): protobuf, then the public key and every address. Undecodable
 * addresses are skipped and counted; a key that does not match the connection's PeerId is refused.
 */
class IdentifyFuzzTest {
  private static final IdentifyFuzzAccess IDENTIFY = new IdentifyFuzzAccess(Keys.LOCAL);

  @FuzzTest
  void message(byte[] in) {
    if (in.length > Identify.MAX_MESSAGE) {
      return; // the reader refuses longer messages before decoding (varint limit)
    }
    decode(in, null);
    decode(in, Keys.REMOTE_ID);
  }

  private static void decode(byte[] in, PeerId expected) {
    long bad = IDENTIFY.badAddresses();
    IdentifyInfo info;
    try {
      info = IDENTIFY.decode(in, expected);
    } catch (InvalidProtocolBufferException | DecodeException e) {
      return;
    } catch (IllegalStateException e) {
      // the documented refusal of a key that is not the connection's
      assertThat(expected).isNotNull();
      assertThat(e.getMessage()).contains("does not match");
      return;
    }
    if (expected != null && info.publicKey() != null) {
      assertThat(expected.matches(info.publicKey())).isTrue();
    }
    assertThat(IDENTIFY.badAddresses()).isGreaterThanOrEqualTo(bad);
    for (var a : info.listenAddrs()) {
      assertThat(a.toBytes()).isNotEmpty();
    }
    assertThat(info.protocols()).doesNotContainNull();
    assertThat(info.agentVersion()).isNotNull();
  }
}
