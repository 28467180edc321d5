package io.leanp2p.adversarial;

import io.leanp2p.transport.tcp.yamux.YamuxFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Yamux frames written by hand over a {@link RawNoise} session after {@code /yamux/1.0.0} was
 * negotiated inside it: whatever header and payload the attack wants, valid or not.
 */
final class RawYamux {
  private final RawNoise noise;
  private int nextStream = 1; // we dial: odd ids

  private RawYamux(RawNoise noise) {
    this.noise = noise;
  }

  static RawYamux open(RawNoise noise) throws IOException {
    noise.select("/yamux/1.0.0");
    return new RawYamux(noise);
  }

  RawNoise noise() {
    return noise;
  }

  static byte[] header(int version, int type, int flags, int streamId, long length) {
    return new byte[] {
      (byte) version, (byte) type, (byte) (flags >> 8), (byte) flags,
      (byte) (streamId >> 24), (byte) (streamId >> 16), (byte) (streamId >> 8), (byte) streamId,
      (byte) (length >> 24), (byte) (length >> 16), (byte) (length >> 8), (byte) length
    };
  }

  static byte[] frame(int type, int flags, int streamId, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header(YamuxFrame.VERSION, type, flags, streamId, payload.length));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** Sends raw plaintext (one or more frames, possibly malformed) inside Noise. */
  void send(byte[] plaintext) throws IOException {
    noise.write(plaintext);
  }

  boolean trySend(byte[] plaintext) {
    try {
      send(plaintext);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Opens a stream (SYN on a window update) and returns its id. */
  int openStream() throws IOException {
    int id = nextStream;
    nextStream += 2;
    send(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.SYN, id, new byte[0]));
    return id;
  }

  int nextStreamId() {
    int id = nextStream;
    nextStream += 2;
    return id;
  }

  /** Data on {@code id} (with the given flags). */
  void data(int id, int flags, byte[] payload) throws IOException {
    send(frame(YamuxFrame.TYPE_DATA, flags, id, payload));
  }
}
