package io.leanp2p.codec.gossip;

import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.leanp2p.config.RpcLimits;

/**
 * Hand-written protobuf codec for the gossipsub {@code RPC} message, byte-exact with leanSpec's
 * encoder ({@code gossipsub/rpc.py}):
 *
 * <ul>
 *   <li>fields in field-number order, repeated entries in list order;
 *   <li>{@code SubOpts} always carries both fields ({@code 08 00}, {@code 12 00} included);
 *   <li>Message / IHave / Graft / Prune omit empty strings and bytes; {@code Prune.backoff} only
 *       when {@code > 0}; PX peers are never encoded;
 *   <li>a control part without entries is omitted; a message with no fields is {@code 12 00}.
 * </ul>
 *
 * <p>The decoder skips unknown fields of wire types 0, 1, 2 and 5 (and known field numbers that
 * arrive with an unexpected wire type), rejects wire types 3, 4, 6 and 7, checks every length
 * against the remaining bytes and the {@link RpcLimits} before allocating, and validates UTF-8.
 */
public final class RpcCodec {
  private static final int WT_VARINT = 0;
  private static final int WT_I64 = 1;
  private static final int WT_LEN = 2;
  private static final int WT_I32 = 5;

  private RpcCodec() {}

  // ---------------------------------------------------------------- encoding

  /** The encoded protobuf bytes (no length prefix). */
  public static byte[] encode(Rpc rpc) {
    byte[] out = new byte[encodedSize(rpc)];
    Writer w = new Writer(out);
    writeRpc(w, rpc);
    if (w.pos != out.length) {
      throw new IllegalStateException("size mismatch " + w.pos + " != " + out.length);
    }
    return out;
  }

  /** The number of bytes {@link #encode} produces. */
  public static int encodedSize(Rpc rpc) {
    long size = 0;
    for (SubOpts s : rpc.subscriptions()) {
      size += lenField(subOptsSize(s));
    }
    for (Message m : rpc.publish()) {
      size += lenField(messageSize(m));
    }
    if (rpc.control() != null && !rpc.control().isEmpty()) {
      size += lenField(controlSize(rpc.control()));
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("RPC too large to encode: " + size);
    }
    return (int) size;
  }

  private static void writeRpc(Writer w, Rpc rpc) {
    for (SubOpts s : rpc.subscriptions()) {
      w.tag(1, WT_LEN);
      w.varint(subOptsSize(s));
      w.tag(1, WT_VARINT);
      w.varint(s.subscribe() ? 1 : 0);
      w.tag(2, WT_LEN);
      w.bytes(utf8(s.topicId()));
    }
    for (Message m : rpc.publish()) {
      w.tag(2, WT_LEN);
      w.varint(messageSize(m));
      optBytes(w, 1, m.fromRaw());
      optBytes(w, 2, m.dataUnsafe());
      optBytes(w, 3, m.seqnoRaw());
      optBytes(w, 4, utf8(m.topic()));
      optBytes(w, 5, m.signatureRaw());
      optBytes(w, 6, m.keyRaw());
    }
    ControlMessage c = rpc.control();
    if (c != null && !c.isEmpty()) {
      w.tag(3, WT_LEN);
      w.varint(controlSize(c));
      for (ControlIHave h : c.ihave()) {
        w.tag(1, WT_LEN);
        w.varint(ihaveSize(h));
        optBytes(w, 1, utf8(h.topicId()));
        for (byte[] id : h.messageIds()) {
          w.tag(2, WT_LEN);
          w.bytes(id);
        }
      }
      for (ControlIWant iw : c.iwant()) {
        w.tag(2, WT_LEN);
        w.varint(idsSize(iw.messageIds()));
        for (byte[] id : iw.messageIds()) {
          w.tag(1, WT_LEN);
          w.bytes(id);
        }
      }
      for (ControlGraft g : c.graft()) {
        w.tag(3, WT_LEN);
        w.varint(optBytesSize(utf8(g.topicId())));
        optBytes(w, 1, utf8(g.topicId()));
      }
      for (ControlPrune p : c.prune()) {
        w.tag(4, WT_LEN);
        w.varint(pruneSize(p));
        optBytes(w, 1, utf8(p.topicId()));
        if (p.backoffSeconds() > 0) {
          w.tag(3, WT_VARINT);
          w.varint(p.backoffSeconds());
        }
      }
      for (ControlIDontWant d : c.idontwant()) {
        w.tag(5, WT_LEN);
        w.varint(idsSize(d.messageIds()));
        for (byte[] id : d.messageIds()) {
          w.tag(1, WT_LEN);
          w.bytes(id);
        }
      }
    }
  }

  /**
   * The encoding of {@code m} as an RPC {@code publish} field around its payload: {@code
   * [0]} everything before the payload bytes (field tag and length, {@code from}, the data field's
   * tag and length), {@code [1]} everything after them ({@code seqno}, {@code topic}, {@code
   * signature}, {@code key}). {@code [0] || data || [1]} is exactly what {@link #encode} writes for
   * the message; with empty data {@code [0] || [1]} is. Computed once per message and shared by
   * every peer it is sent to ({@link Message#encodedParts()}).
   */
  static byte[][] messageParts(Message m) {
    byte[] data = m.dataUnsafe();
    long size = messageSize(m);
    int headLen = (int) (1 + varintSize(size) + optBytesSize(m.fromRaw())
        + (data.length == 0 ? 0 : 1 + varintSize(data.length)));
    byte[] head = new byte[headLen];
    Writer w = new Writer(head);
    w.tag(2, WT_LEN);
    w.varint(size);
    optBytes(w, 1, m.fromRaw());
    if (data.length > 0) {
      w.tag(2, WT_LEN);
      w.varint(data.length);
    }
    byte[] topic = utf8(m.topic());
    int tailLen = (int) (optBytesSize(m.seqnoRaw()) + optBytesSize(topic) + optBytesSize(m.signatureRaw())
        + optBytesSize(m.keyRaw()));
    byte[] tail = new byte[tailLen];
    Writer t = new Writer(tail);
    optBytes(t, 3, m.seqnoRaw());
    optBytes(t, 4, topic);
    optBytes(t, 5, m.signatureRaw());
    optBytes(t, 6, m.keyRaw());
    if (w.pos != head.length || t.pos != tail.length) {
      throw new IllegalStateException("message part size mismatch");
    }
    return new byte[][] {head, tail};
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int varintSize(long v) {
    return io.leanp2p.multiformats.Varint.encodedLength(v);
  }

  private static long lenField(long payload) {
    return 1 + varintSize(payload) + payload;
  }

  private static long optBytesSize(byte[] b) {
    return b == null || b.length == 0 ? 0 : lenField(b.length);
  }

  private static long subOptsSize(SubOpts s) {
    return 2 + lenField(utf8(s.topicId()).length);
  }

  private static long messageSize(Message m) {
    return optBytesSize(m.fromRaw())
        + optBytesSize(m.dataUnsafe())
        + optBytesSize(m.seqnoRaw())
        + optBytesSize(utf8(m.topic()))
        + optBytesSize(m.signatureRaw())
        + optBytesSize(m.keyRaw());
  }

  private static long ihaveSize(ControlIHave h) {
    return optBytesSize(utf8(h.topicId())) + idsSize(h.messageIds());
  }

  private static long idsSize(List<byte[]> ids) {
    long s = 0;
    for (byte[] id : ids) {
      s += lenField(id.length);
    }
    return s;
  }

  private static long pruneSize(ControlPrune p) {
    long s = optBytesSize(utf8(p.topicId()));
    if (p.backoffSeconds() > 0) {
      s += 1 + varintSize(p.backoffSeconds());
    }
    return s;
  }

  private static long controlSize(ControlMessage c) {
    long s = 0;
    for (ControlIHave h : c.ihave()) {
      s += lenField(ihaveSize(h));
    }
    for (ControlIWant w : c.iwant()) {
      s += lenField(idsSize(w.messageIds()));
    }
    for (ControlGraft g : c.graft()) {
      s += lenField(optBytesSize(utf8(g.topicId())));
    }
    for (ControlPrune p : c.prune()) {
      s += lenField(pruneSize(p));
    }
    for (ControlIDontWant d : c.idontwant()) {
      s += lenField(idsSize(d.messageIds()));
    }
    return s;
  }

  private static void optBytes(Writer w, int field, byte[] b) {
    if (b != null && b.length > 0) {
      w.tag(field, WT_LEN);
      w.bytes(b);
    }
  }

  private static final class Writer {
    final byte[] out;
    int pos;

    Writer(byte[] out) {
      this.out = out;
    }

    void tag(int field, int wireType) {
      out[pos++] = (byte) ((field << 3) | wireType);
    }

    void varint(long v) {
      pos += io.leanp2p.multiformats.Varint.write(v, out, pos);
    }

    /** Length-prefixed bytes. */
    void bytes(byte[] b) {
      varint(b.length);
      System.arraycopy(b, 0, out, pos, b.length);
      pos += b.length;
    }
  }

  // ---------------------------------------------------------------- decoding

  /** Decodes with {@link RpcLimits#DEFAULT}. */
  public static Rpc decode(byte[] in) throws DecodeException {
    return decode(in, 0, in.length, RpcLimits.DEFAULT);
  }

  public static Rpc decode(byte[] in, RpcLimits limits) throws DecodeException {
    return decode(in, 0, in.length, limits);
  }

  /** Decodes {@code in[offset, offset+length)} as exactly one RPC. */
  public static Rpc decode(byte[] in, int offset, int length, RpcLimits limits) throws DecodeException {
    if (length > limits.maxRpcSize()) {
      throw DecodeException.tooLarge("RPC size", length, limits.maxRpcSize());
    }
    return decode(new Reader(Unpooled.wrappedBuffer(in), offset, offset + length), limits);
  }

  /**
   * Decodes the readable bytes of {@code frame} (a whole RPC, e.g. a frame from {@link
   * RpcFrameDecoder#decode(ByteBuf, List)}, possibly made of several buffers) as exactly one RPC.
   * Message payloads and ids are copied out into arrays the result owns, once each; nothing keeps
   * a reference to {@code frame}, which the caller still owns (and releases).
   */
  public static Rpc decode(ByteBuf frame, RpcLimits limits) throws DecodeException {
    int length = frame.readableBytes();
    if (length > limits.maxRpcSize()) {
      throw DecodeException.tooLarge("RPC size", length, limits.maxRpcSize());
    }
    return decode(new Reader(frame, frame.readerIndex(), frame.readerIndex() + length), limits);
  }

  private static Rpc decode(Reader r, RpcLimits limits) throws DecodeException {
    Counts counts = new Counts(limits);
    List<SubOpts> subs = new ArrayList<>();
    List<Message> publish = new ArrayList<>();
    ControlParts control = null;
    while (r.pos < r.end) {
      long tag = r.varint();
      int field = field(tag);
      int wt = wireType(tag);
      if (field == 1 && wt == WT_LEN) {
        counts.subscription();
        subs.add(decodeSubOpts(r.sub()));
      } else if (field == 2 && wt == WT_LEN) {
        counts.message();
        publish.add(decodeMessage(r.sub()));
      } else if (field == 3 && wt == WT_LEN) {
        // repeated occurrences of an embedded message merge (protobuf semantics)
        if (control == null) {
          control = new ControlParts();
        }
        decodeControl(r.sub(), control, counts);
      } else {
        r.skip(wt);
      }
    }
    return new Rpc(subs, publish, control == null ? null : control.build());
  }

  private static SubOpts decodeSubOpts(Reader r) throws DecodeException {
    boolean subscribe = false;
    String topic = "";
    while (r.pos < r.end) {
      long tag = r.varint();
      int field = field(tag);
      int wt = wireType(tag);
      if (field == 1 && wt == WT_VARINT) {
        subscribe = r.varint() != 0;
      } else if (field == 2 && wt == WT_LEN) {
        topic = r.string();
      } else {
        r.skip(wt);
      }
    }
    return new SubOpts(subscribe, topic);
  }

  private static Message decodeMessage(Reader r) throws DecodeException {
    byte[] from = null;
    byte[] data = null;
    byte[] seqno = null;
    String topic = "";
    byte[] signature = null;
    byte[] key = null;
    while (r.pos < r.end) {
      long tag = r.varint();
      int field = field(tag);
      int wt = wireType(tag);
      if (wt != WT_LEN || field < 1 || field > 6) {
        r.skip(wt);
        continue;
      }
      switch (field) {
        case 1 -> from = r.bytes();
        case 2 -> data = r.bytes();
        case 3 -> seqno = r.bytes();
        case 4 -> topic = r.string();
        case 5 -> signature = r.bytes();
        default -> key = r.bytes();
      }
    }
    return Message.owning(from, data, seqno, topic, signature, key); // fresh arrays from the reader
  }

  private static void decodeControl(Reader r, ControlParts c, Counts counts) throws DecodeException {
    while (r.pos < r.end) {
      long tag = r.varint();
      int field = field(tag);
      int wt = wireType(tag);
      if (wt != WT_LEN || field < 1 || field > 5) {
        r.skip(wt);
        continue;
      }
      counts.controlEntry();
      Reader e = r.sub();
      switch (field) {
        case 1 -> c.ihave.add(decodeIHave(e, counts));
        case 2 -> c.iwant.add(new ControlIWant(decodeIds(e, counts)));
        case 3 -> c.graft.add(new ControlGraft(decodeTopicOnly(e)));
        case 4 -> c.prune.add(decodePrune(e));
        default -> c.idontwant.add(new ControlIDontWant(decodeIds(e, counts)));
      }
    }
  }

  private static ControlIHave decodeIHave(Reader r, Counts counts) throws DecodeException {
    String topic = "";
    List<byte[]> ids = new ArrayList<>();
    while (r.pos < r.end) {
      long tag = r.varint();
      int field = field(tag);
      int wt = wireType(tag);
      if (field == 1 && wt == WT_LEN) {
        topic = r.string();
      } else if (field == 2 && wt == WT_LEN) {
        counts.messageId();
        ids.add(r.bytes());
      } else {
        r.skip(wt);
      }
    }
    return new ControlIHave(topic, ids);
  }

  private static List<byte[]> decodeIds(Reader r, Counts counts) throws DecodeException {
    List<byte[]> ids = new ArrayList<>();
    while (r.pos < r.end) {
      long tag = r.varint();
      int field = field(tag);
      int wt = wireType(tag);
      if (field == 1 && wt == WT_LEN) {
        counts.messageId();
        ids.add(r.bytes());
      } else {
        r.skip(wt);
      }
    }
    return ids;
  }

  private static String decodeTopicOnly(Reader r) throws DecodeException {
    String topic = "";
    while (r.pos < r.end) {
      long tag = r.varint();
      if (field(tag) == 1 && wireType(tag) == WT_LEN) {
        topic = r.string();
      } else {
        r.skip(wireType(tag));
      }
    }
    return topic;
  }

  private static ControlPrune decodePrune(Reader r) throws DecodeException {
    String topic = "";
    long backoff = 0;
    int px = 0;
    while (r.pos < r.end) {
      long tag = r.varint();
      int field = field(tag);
      int wt = wireType(tag);
      if (field == 1 && wt == WT_LEN) {
        topic = r.string();
      } else if (field == 3 && wt == WT_VARINT) {
        backoff = r.varint();
      } else {
        if (field == 2 && wt == WT_LEN) {
          px++;
        }
        r.skip(wt);
      }
    }
    return new ControlPrune(topic, backoff, px);
  }

  private static int field(long tag) {
    long f = tag >>> 3;
    return f > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) f;
  }

  private static int wireType(long tag) {
    return (int) (tag & 7);
  }

  /** Running totals of repeated items, checked against the limits before each is materialised. */
  private static final class Counts {
    final RpcLimits limits;
    int subscriptions;
    int messages;
    int controlEntries;
    int messageIds;

    Counts(RpcLimits limits) {
      this.limits = limits;
    }

    void subscription() throws DecodeException {
      if (++subscriptions > limits.maxSubscriptions()) {
        throw DecodeException.tooLarge("subscriptions per RPC", subscriptions, limits.maxSubscriptions());
      }
    }

    void message() throws DecodeException {
      if (++messages > limits.maxMessages()) {
        throw DecodeException.tooLarge("messages per RPC", messages, limits.maxMessages());
      }
    }

    void controlEntry() throws DecodeException {
      if (++controlEntries > limits.maxControlEntries()) {
        throw DecodeException.tooLarge("control entries per RPC", controlEntries, limits.maxControlEntries());
      }
    }

    void messageId() throws DecodeException {
      if (++messageIds > limits.maxMessageIds()) {
        throw DecodeException.tooLarge("message ids per RPC", messageIds, limits.maxMessageIds());
      }
    }
  }

  private static final class ControlParts {
    final List<ControlIHave> ihave = new ArrayList<>();
    final List<ControlIWant> iwant = new ArrayList<>();
    final List<ControlGraft> graft = new ArrayList<>();
    final List<ControlPrune> prune = new ArrayList<>();
    final List<ControlIDontWant> idontwant = new ArrayList<>();

    ControlMessage build() {
      return new ControlMessage(ihave, iwant, graft, prune, idontwant);
    }
  }

  /**
   * A bounded cursor over {@code in[pos, end)} (absolute indexes). Array-backed buffers are read
   * through their array; others (direct or composite frames) through {@link ByteBuf#getByte}.
   */
  private static final class Reader {
    final ByteBuf in;
    final byte[] arr;
    final int arrOff;
    int pos;
    final int end;

    Reader(ByteBuf in, int pos, int end) {
      this.in = in;
      this.arr = in.hasArray() ? in.array() : null;
      this.arrOff = in.hasArray() ? in.arrayOffset() : 0;
      this.pos = pos;
      this.end = end;
    }

    private Reader(Reader parent, int pos, int end) {
      this.in = parent.in;
      this.arr = parent.arr;
      this.arrOff = parent.arrOff;
      this.pos = pos;
      this.end = end;
    }

    private int next() {
      return arr != null ? arr[arrOff + pos++] & 0xFF : in.getByte(pos++) & 0xFF;
    }

    /** Protobuf varint: up to 10 bytes, the 10th may only carry one bit. */
    long varint() throws DecodeException {
      long v = 0;
      for (int i = 0; i < 10; i++) {
        if (pos >= end) {
          throw DecodeException.truncated("varint runs past the end of its message");
        }
        int b = next();
        if (i == 9 && (b & 0xFE) != 0) {
          throw new DecodeException(DecodeException.Reason.TOO_LARGE, "varint exceeds 64 bits");
        }
        v |= (long) (b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new DecodeException(DecodeException.Reason.TOO_LARGE, "varint longer than 10 bytes");
    }

    /** Reads a length and checks it against the remaining bytes; returns it. */
    int length() throws DecodeException {
      long len = varint();
      if (len < 0 || len > end - pos) {
        throw DecodeException.truncated(
            "length " + Long.toUnsignedString(len) + " runs past the end (" + (end - pos) + " left)");
      }
      return (int) len;
    }

    Reader sub() throws DecodeException {
      int len = length();
      Reader r = new Reader(this, pos, pos + len);
      pos += len;
      return r;
    }

    /** A length-prefixed field copied into a fresh array (the one copy of a payload). */
    byte[] bytes() throws DecodeException {
      int len = length();
      byte[] b = new byte[len];
      if (arr != null) {
        System.arraycopy(arr, arrOff + pos, b, 0, len);
      } else {
        in.getBytes(pos, b, 0, len);
      }
      pos += len;
      return b;
    }

    String string() throws DecodeException {
      int len = length();
      // topics are ASCII: no decoder object, no direct-buffer view (the slow general path)
      if (isAscii(pos, len)) {
        String str = arr != null
            ? new String(arr, arrOff + pos, len, StandardCharsets.ISO_8859_1)
            : in.toString(pos, len, StandardCharsets.ISO_8859_1);
        pos += len;
        return str;
      }
      CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      try {
        ByteBuffer bb = arr != null ? ByteBuffer.wrap(arr, arrOff + pos, len) : in.nioBuffer(pos, len);
        String str = dec.decode(bb).toString();
        pos += len;
        return str;
      } catch (CharacterCodingException e) {
        throw new DecodeException(DecodeException.Reason.MALFORMED, "string is not valid UTF-8", e);
      }
    }

    private boolean isAscii(int from, int len) {
      if (arr != null) {
        for (int i = arrOff + from, end = i + len; i < end; i++) {
          if (arr[i] < 0) {
            return false;
          }
        }
        return true;
      }
      return in.forEachByte(from, len, b -> b >= 0) == -1;
    }

    void skip(int wireType) throws DecodeException {
      switch (wireType) {
        case WT_VARINT -> varint();
        case WT_I64 -> fixed(8);
        case WT_LEN -> {
          int len = length();
          pos += len;
        }
        case WT_I32 -> fixed(4);
        default -> throw new DecodeException(
            DecodeException.Reason.UNSUPPORTED, "unsupported protobuf wire type " + wireType);
      }
    }

    private void fixed(int n) throws DecodeException {
      if (end - pos < n) {
        throw DecodeException.truncated("fixed" + (n * 8) + " runs past the end");
      }
      pos += n;
    }
  }
}
