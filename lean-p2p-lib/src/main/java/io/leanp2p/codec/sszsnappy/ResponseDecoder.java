package io.leanp2p.codec.sszsnappy;

import io.leanp2p.codec.snappy.SnappyFrameDecoder;
import io.leanp2p.codec.snappy.SnappyFrames;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;
import io.leanp2p.lean.ResponseCode;

/**
 * Incremental decoder of an {@code ssz_snappy} response stream: a sequence of chunks {@code
 * code[1] || uvarint(len) || framed(payload)}, each with its own framed stream. Accepts bytes in
 * any split and hands every chunk to the consumer as soon as its last byte has arrived.
 *
 * <p>Every code byte is accepted and mapped with {@link ResponseCode#fromWire}. A declared length
 * above {@code maxLength} (for error messages as for SSZ) is rejected as soon as the varint proves
 * it; framed input beyond {@link SszSnappy#maxCompressedLength(int)} on the chunk header that
 * exceeds it, before decompressing. A declared length of 0 completes the chunk at once; the bare
 * stream identifier leanSpec writes after it is recognised and swallowed (a following chunk with
 * code {@code 0xff} can be told apart by its third byte, and is decoded as such).
 *
 * <p>Single-threaded. After a {@link DecodeException} the decoder is dead and further calls throw
 * {@link IllegalStateException}.
 */
public final class ResponseDecoder {
  private static final byte[] IDENT = SnappyFrames.streamIdentifier();

  private enum State { CODE, LENGTH, PAYLOAD, AFTER_EMPTY }

  private final int maxLength;
  private final SnappyFrameDecoder frames = new SnappyFrameDecoder();
  private final LengthPrefix prefix;
  private State state = State.CODE;
  private int wireCode;
  private int declared;
  private byte[] payload;
  private int identMatched;
  private boolean failed;
  private long chunks;

  /** A decoder accepting payloads of at most {@code maxLength} (≤ {@link SszSnappy#MAX_PAYLOAD}). */
  public ResponseDecoder(int maxLength) {
    if (maxLength < 0 || maxLength > SszSnappy.MAX_PAYLOAD) {
      throw new IllegalArgumentException("maxLength out of range: " + maxLength);
    }
    this.maxLength = maxLength;
    this.prefix = new LengthPrefix(maxLength);
  }

  /**
   * Consumes all of {@code in} (advancing its reader index; the caller keeps ownership and
   * releases it), passing each completed chunk to {@code out} in order.
   */
  public void decode(ByteBuf in, Consumer<ResponseChunk> out) throws DecodeException {
    if (failed) {
      throw new IllegalStateException("decoder failed earlier");
    }
    try {
      while (in.isReadable()) {
        switch (state) {
          case CODE -> {
            wireCode = in.readUnsignedByte();
            state = State.LENGTH;
          }
          case LENGTH -> {
            int v = prefix.read(in);
            if (v < 0) {
              return;
            }
            startPayload(v, out);
          }
          case PAYLOAD -> {
            if (frames.decode(in)) {
              byte[] p = payload;
              payload = null;
              state = State.CODE;
              emit(p, out);
            }
          }
          case AFTER_EMPTY -> afterEmpty(in, out);
        }
      }
    } catch (DecodeException e) {
      failed = true;
      payload = null;
      throw e;
    }
  }

  /** At end of stream: true if no partial chunk is pending. */
  public boolean atBoundary() {
    return state == State.CODE || (state == State.AFTER_EMPTY && identMatched == 0);
  }

  /** Chunks emitted so far. */
  public long chunks() {
    return chunks;
  }

  private void startPayload(int length, Consumer<ResponseChunk> out) {
    declared = length;
    if (length == 0) {
      state = State.AFTER_EMPTY;
      identMatched = 0;
      emit(new byte[0], out);
      return;
    }
    payload = new byte[length];
    frames.reset(payload, 0, length, SszSnappy.maxCompressedLength(length));
    state = State.PAYLOAD;
  }

  /**
   * After an empty payload: swallow a stream identifier, or, on the first byte that departs from
   * it, reinterpret the bytes matched so far as the start of the next chunk.
   */
  private void afterEmpty(ByteBuf in, Consumer<ResponseChunk> out) throws DecodeException {
    while (in.isReadable() && identMatched < IDENT.length) {
      byte b = in.getByte(in.readerIndex());
      if (b != IDENT[identMatched]) {
        reinterpretMatchedPrefix(out);
        return;
      }
      in.skipBytes(1);
      identMatched++;
    }
    if (identMatched == IDENT.length) {
      state = State.CODE;
    }
  }

  private void reinterpretMatchedPrefix(Consumer<ResponseChunk> out) throws DecodeException {
    switch (identMatched) {
      case 0 -> state = State.CODE; // nothing consumed: the byte starts the next chunk
      case 1 -> { // "ff": code 0xff, the differing byte starts its length
        wireCode = 0xff;
        state = State.LENGTH;
      }
      case 2 -> { // "ff 06": code 0xff, length 6; the differing byte starts its framed stream
        wireCode = 0xff;
        if (6 > maxLength) {
          throw DecodeException.tooLarge("response payload length", 6, maxLength);
        }
        startPayload(6, out);
      }
      default -> // "ff 06 00..": a framed stream cannot begin with 00
          throw DecodeException.malformed("partial stream identifier after an empty payload");
    }
  }

  private void emit(byte[] p, Consumer<ResponseChunk> out) {
    chunks++;
    out.accept(new ResponseChunk(wireCode, ResponseCode.fromWire(wireCode), p));
  }
}
