package io.leanp2p.codec.gossip;

import java.util.Arrays;
import java.util.Objects;

/**
 * A published message. Lean gossip is StrictNoSign: only {@code data} and {@code topic} are set
 * on messages we send; {@code from}, {@code seqno}, {@code signature} and {@code key} are
 * {@code null} unless a received message carried them (the router drops such messages). {@code
 * data} is never null (absent = empty). Arrays are defensively copied.
 */
public record Message(byte[] from, byte[] data, byte[] seqno, String topic, byte[] signature, byte[] key) {
  public Message {
    Objects.requireNonNull(topic, "topic");
    from = copy(from);
    data = data == null ? new byte[0] : data.clone();
    seqno = copy(seqno);
    signature = copy(signature);
    key = copy(key);
  }

  /** An anonymous (StrictNoSign) message: topic and data only. */
  public static Message anonymous(String topic, byte[] data) {
    return new Message(null, data, null, topic, null, null);
  }

  /** Whether any of the fields forbidden by StrictNoSign is present. */
  public boolean hasSignatureFields() {
    return from != null || seqno != null || signature != null || key != null;
  }

  @Override
  public byte[] from() {
    return copy(from);
  }

  /** A copy of the payload. Use {@link #dataSize()} / {@link #dataUnsafe()} on hot paths. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /** The payload without copying: callers must not modify it. */
  public byte[] dataUnsafe() {
    return data;
  }

  public int dataSize() {
    return data.length;
  }

  @Override
  public byte[] seqno() {
    return copy(seqno);
  }

  @Override
  public byte[] signature() {
    return copy(signature);
  }

  @Override
  public byte[] key() {
    return copy(key);
  }

  byte[] fromRaw() {
    return from;
  }

  byte[] seqnoRaw() {
    return seqno;
  }

  byte[] signatureRaw() {
    return signature;
  }

  byte[] keyRaw() {
    return key;
  }

  private static byte[] copy(byte[] b) {
    return b == null ? null : b.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message m
        && Arrays.equals(from, m.from)
        && Arrays.equals(data, m.data)
        && Arrays.equals(seqno, m.seqno)
        && topic.equals(m.topic)
        && Arrays.equals(signature, m.signature)
        && Arrays.equals(key, m.key);
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(from);
    h = 31 * h + Arrays.hashCode(data);
    h = 31 * h + Arrays.hashCode(seqno);
    h = 31 * h + topic.hashCode();
    h = 31 * h + Arrays.hashCode(signature);
    return 31 * h + Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "Message[topic=" + topic + ", data=" + data.length + " bytes"
        + (hasSignatureFields() ? ", signed fields present" : "") + "]";
  }
}
