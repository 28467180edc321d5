package io.leanp2p.codec.sszsnappy;

import io.leanp2p.codec.snappy.SnappyFrames;
import io.leanp2p.multiformats.Varint;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import io.leanp2p.lean.ResponseCode;

/**
 * The {@code ssz_snappy} req/resp encoding:
 *
 * <pre>
 * request        = uvarint(len(ssz)) || snappy_framed(ssz)
 * response_chunk = code[1] || uvarint(len(payload)) || snappy_framed(payload)
 * </pre>
 *
 * <p>The varint is the <em>uncompressed</em> length, at most {@link #MAX_PAYLOAD}. Every chunk
 * carries its own framed stream; an empty payload is written as the bare stream identifier, as
 * leanSpec does (decoders also accept nothing at all after a declared length of 0). Decoding is
 * incremental: see {@link RequestDecoder} and {@link ResponseDecoder}.
 */
public final class SszSnappy {
  /** Largest payload, declared or actual, in either direction: 10 MiB. */
  public static final int MAX_PAYLOAD = 10 * 1024 * 1024;
  /** Error messages are cut to this many UTF-8 bytes. */
  public static final int MAX_ERROR_MESSAGE = 256;

  private SszSnappy() {}

  /**
   * Most framed bytes accepted for a declared length: leanSpec's bound {@code declared +
   * declared / 6 + 1024}, counting every framed byte (stream identifier, chunk headers, CRCs,
   * padding). An honest encoder stays far below it: it stores a chunk uncompressed when snappy
   * does not shrink it, so its output is at most {@code 10 + 8 * chunks + declared}.
   */
  public static int maxCompressedLength(int declared) {
    return declared + declared / 6 + 1024;
  }

  /** Encodes a request. Throws {@link IllegalArgumentException} above {@link #MAX_PAYLOAD}. */
  public static byte[] encodeRequest(byte[] ssz) {
    checkSize(ssz);
    byte[] framed = SnappyFrames.encode(ssz);
    byte[] out = new byte[Varint.encodedLength(ssz.length) + framed.length];
    int n = Varint.write(ssz.length, out, 0);
    System.arraycopy(framed, 0, out, n, framed.length);
    return out;
  }

  /** Encodes a request into {@code out}. */
  public static void encodeRequest(byte[] ssz, ByteBuf out) {
    checkSize(ssz);
    Varint.write(ssz.length, out);
    SnappyFrames.encode(ssz, out);
  }

  /** Encodes one response chunk. */
  public static byte[] encodeResponseChunk(ResponseCode code, byte[] payload) {
    checkSize(payload);
    byte[] framed = SnappyFrames.encode(payload);
    byte[] out = new byte[1 + Varint.encodedLength(payload.length) + framed.length];
    out[0] = (byte) code.code();
    int n = 1 + Varint.write(payload.length, out, 1);
    System.arraycopy(framed, 0, out, n, framed.length);
    return out;
  }

  /** Encodes one response chunk into {@code out}. */
  public static void encodeResponseChunk(ResponseCode code, byte[] payload, ByteBuf out) {
    checkSize(payload);
    out.writeByte(code.code());
    Varint.write(payload.length, out);
    SnappyFrames.encode(payload, out);
  }

  /**
   * Encodes an error chunk: {@code message} as UTF-8, cut to the first {@link
   * #MAX_ERROR_MESSAGE} <em>bytes</em> (a multi-byte character may be split, as in leanSpec).
   * {@code code} must not be {@link ResponseCode#SUCCESS}.
   */
  public static byte[] encodeErrorChunk(ResponseCode code, String message) {
    if (!code.isError()) {
      throw new IllegalArgumentException("error chunk needs an error code, not " + code);
    }
    return encodeResponseChunk(code, errorPayload(message));
  }

  /** The payload of an error chunk: UTF-8, cut to {@link #MAX_ERROR_MESSAGE} bytes. */
  public static byte[] errorPayload(String message) {
    byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
    return utf8.length <= MAX_ERROR_MESSAGE ? utf8 : Arrays.copyOf(utf8, MAX_ERROR_MESSAGE);
  }

  /**
   * The INVALID_REQUEST message for a request whose declared length is over the payload limit,
   * saying so (leanSpec answers "Empty request"). {@code declared} is the length, or a lower bound
   * of it when {@code exact} is false (the refusal came before the prefix ended), or negative for
   * a prefix too long to hold any length.
   */
  public static String requestTooLargeMessage(long declared, boolean exact, int limit) {
    String what = declared < 0 ? "an impossible length" : (exact ? "" : "at least ") + declared + " bytes";
    return "Request too large: declares " + what + ", the limit is " + limit + " bytes";
  }

  private static void checkSize(byte[] payload) {
    if (payload.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException(
          "payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
    }
  }
}
