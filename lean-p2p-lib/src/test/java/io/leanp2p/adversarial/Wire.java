package io.leanp2p.adversarial;

import io.leanp2p.multiformats.Varint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A blocking byte stream of the raw attacker (a TCP socket, or the plaintext inside Noise), with
 * just enough multistream-select to get through or to break a negotiation.
 */
interface Wire {
  void write(byte[] b) throws IOException;

  /** Blocks until {@code n} bytes arrived (the socket timeout bounds it). */
  byte[] readExactly(int n) throws IOException;

  /** One multistream message per text: {@code uvarint(len+1) || text || '\n'}. */
  default void msSend(String... texts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String t : texts) {
      byte[] b = t.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(Varint.encode(b.length + 1));
      out.writeBytes(b);
      out.write('\n');
    }
    write(out.toByteArray());
  }

  /** Reads one multistream message and returns it without the newline. */
  default String msRead() throws IOException {
    long len = 0;
    for (int shift = 0; ; shift += 7) {
      int b = readExactly(1)[0] & 0xff;
      len |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      if (shift > 21) {
        throw new IOException("multistream length prefix too long");
      }
    }
    if (len < 1 || len > 64 * 1024) {
      throw new IOException("multistream message of " + len + " bytes");
    }
    byte[] body = readExactly((int) len);
    return new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
  }

  /** The dialer's side of multistream-select for one protocol; fails unless it is accepted. */
  default void select(String protocol) throws IOException {
    msSend("/multistream/1.0.0", protocol);
    String header = msRead();
    if (!header.equals("/multistream/1.0.0")) {
      throw new IOException("bad multistream header: " + header);
    }
    String answer = msRead();
    if (!answer.equals(protocol)) {
      throw new IOException("protocol " + protocol + " refused: " + answer);
    }
  }
}
