package io.leanp2p.transport.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class MultistreamLinePropertiesTest {

  /** Any bytes: the decoder returns a message, asks for more, or throws DecodeException only. */
  @Property
  void garbageNeverEscapesAsAnotherException(@ForAll @Size(max = 64) byte[] input) {
    ByteBuf b = Unpooled.wrappedBuffer(input);
    try {
      while (true) {
        int before = b.readerIndex();
        byte[] m = MultistreamLineDecoder.next(b);
        if (m == null) {
          assertThat(b.readerIndex()).isEqualTo(before);
          break;
        }
        assertThat(m.length).isLessThan(Multistream.MAX_MESSAGE);
      }
    } catch (DecodeException e) {
      assertThat(e.reason()).isIn(DecodeException.Reason.MALFORMED, DecodeException.Reason.TOO_LARGE, DecodeException.Reason.NON_CANONICAL);
    } finally {
      b.release();
    }
  }

  @Property
  void encodeThenDecodeRoundTrips(@ForAll @StringLength(min = 1, max = 300) String text) throws Exception {
    if (text.getBytes(StandardCharsets.UTF_8).length + 1 > Multistream.MAX_MESSAGE) {
      return;
    }
    ByteBuf b = Unpooled.buffer();
    try {
      Multistream.write(text, b);
      byte[] m = MultistreamLineDecoder.next(b);
      assertThat(new String(m, StandardCharsets.UTF_8)).isEqualTo(text);
      assertThat(b.isReadable()).isFalse();
    } finally {
      b.release();
    }
  }
}
