package io.leanp2p.codec.gossip;

import java.util.Arrays;
import java.util.Objects;

/**
 * A published message. Lean gossip is StrictNoSign: only {@code data} and {@code topic} are set
 * on messages we send; {@code from}, {@code seqno}, {@code signature} and {@code key} are
 * {@code null} unless a received message carried them (the router drops such messages). {@code
 * data} is never null (absent = empty). The public constructor copies its arrays; the decoder and
 * the router use {@link #owning}, which takes arrays nobody else holds, so a payload is not
 * copied twice on its way in or out. Immutable: accessors return copies.
 */
public final class Message {
  private final byte[] from;
  private final byte[] data;
  private final byte[] seqno;
  private final String topic;
  private final byte[] signature;
  private final byte[] key;
  /** {@link RpcCodec#messageParts}, computed on first send; owner thread only. */
  private byte[][] encodedParts;

  public Message(byte[] from, byte[] data, byte[] seqno, String topic, byte[] signature, byte[] key) {
    this(copy(from), data == null ? new byte[0] : data.clone(), copy(seqno), topic, copy(signature), copy(key), true);
  }

  private Message(byte[] from, byte[] data, byte[] seqno, String topic, byte[] signature, byte[] key, boolean owned) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.from = from;
    this.data = data == null ? new byte[0] : data;
    this.seqno = seqno;
    this.signature = signature;
    this.key = key;
  }

  /** A message over arrays the caller hands over (no copies); the caller must not keep or modify them. */
  static Message owning(byte[] from, byte[] data, byte[] seqno, String topic, byte[] signature, byte[] key) {
    return new Message(from, data, seqno, topic, signature, key, true);
  }

  /** An anonymous (StrictNoSign) message: topic and data only (data is copied). */
  public static Message anonymous(String topic, byte[] data) {
    return new Message(null, data, null, topic, null, null);
  }

  /** Like {@link #anonymous} but takes {@code data} over without copying: the caller must not keep or modify it. */
  public static Message anonymousOwning(String topic, byte[] data) {
    return new Message(null, Objects.requireNonNull(data, "data"), null, topic, null, null, true);
  }

  public String topic() {
    return topic;
  }

  /** Whether any of the fields forbidden by StrictNoSign is present. */
  public boolean hasSignatureFields() {
    return from != null || seqno != null || signature != null || key != null;
  }

  public byte[] from() {
    return copy(from);
  }

  /** A copy of the payload. Use {@link #dataSize()} / {@link #dataUnsafe()} on hot paths. */
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

  public byte[] seqno() {
    return copy(seqno);
  }

  public byte[] signature() {
    return copy(signature);
  }

  public byte[] key() {
    return copy(key);
  }

  /**
   * This message's RPC encoding around its payload (see {@link RpcCodec#messageParts}), computed
   * once: a message sent to several peers is encoded once and its payload never copied.
   */
  byte[][] encodedParts() {
    byte[][] p = encodedParts;
    if (p == null) {
      p = RpcCodec.messageParts(this);
      encodedParts = p;
    }
    return p;
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
