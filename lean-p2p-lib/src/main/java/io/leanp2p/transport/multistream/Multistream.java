package io.leanp2p.transport.multistream;

import io.leanp2p.multiformats.Varint;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Wire format of multistream-select 1.0: every message is {@code uvarint(len) || bytes || '\n'}
 * where {@code len} counts the newline, and {@code 0 < len <= 1024}.
 */
public final class Multistream {
  /** The protocol header both sides send first. */
  public static final String PROTOCOL_ID = "/multistream/1.0.0";
  /** The "not available" answer. */
  public static final String NA = "na";
  /** The "list your protocols" request. */
  public static final String LS = "ls";
  /** Largest message, newline included. */
  public static final int MAX_MESSAGE = 1024;

  private Multistream() {}

  /** Appends one message ({@code text} must not contain the newline) to {@code out}. */
  public static void write(String text, ByteBuf out) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    writeRaw(b, out);
  }

  static void writeRaw(byte[] b, ByteBuf out) {
    if (b.length + 1 > MAX_MESSAGE) {
      throw new IllegalArgumentException("multistream message longer than " + MAX_MESSAGE);
    }
    Varint.write(b.length + 1, out);
    out.writeBytes(b);
    out.writeByte('\n');
  }

  /** A buffer holding the given messages back to back. */
  public static ByteBuf encode(ByteBufAllocator alloc, String... texts) {
    ByteBuf out = alloc.buffer();
    for (String t : texts) {
      write(t, out);
    }
    return out;
  }

  /**
   * The body of the answer to {@code ls}: every protocol as a message of its own, then a newline
   * (the rust-libp2p / go-multistream layout); the caller wraps it as one more message.
   */
  static byte[] encodeList(List<String> protocols) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (String p : protocols) {
      byte[] b = p.getBytes(StandardCharsets.UTF_8);
      byte[] len = Varint.encode(b.length + 1);
      // the list plus the closing newline must fit one message: later protocols are left out
      if (out.size() + len.length + b.length + 1 + 1 > MAX_MESSAGE) {
        break;
      }
      out.writeBytes(len);
      out.writeBytes(b);
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** Parses the body of an {@code ls} answer (without its trailing newline). */
  static List<String> decodeList(byte[] body) throws DecodeException {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < body.length) {
      Varint.Decoded d = Varint.decode(body, i, MAX_MESSAGE);
      int len = (int) d.value();
      int start = i + d.length();
      if (len == 0) {
        // the final bare newline of the list
        throw DecodeException.malformed("empty entry in ls answer");
      }
      if (start + len > body.length) {
        throw DecodeException.truncated("ls entry");
      }
      if (body[start + len - 1] != '\n') {
        throw DecodeException.malformed("ls entry without newline");
      }
      out.add(new String(body, start, len - 1, StandardCharsets.UTF_8));
      i = start + len;
    }
    return out;
  }
}
