package io.leanp2p.transport.tcp.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.PublicKey;
import io.leanp2p.proto.NoiseProto.NoiseHandshakePayload;
import io.leanp2p.util.DecodeException;
import java.nio.charset.StandardCharsets;

/**
 * The libp2p Noise handshake payload: our identity public key and its signature over {@code
 * "noise-libp2p-static-key:" || noise static public key}, which binds the Noise session to the
 * libp2p identity.
 */
public final class NoisePayload {
  static final byte[] PREFIX = "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);

  private NoisePayload() {}

  /** Builds our payload for the given Noise static public key. */
  public static byte[] build(PrivateKey identity, byte[] staticPublic) {
    byte[] sig = identity.sign(concat(PREFIX, staticPublic));
    return NoiseHandshakePayload.newBuilder()
        .setIdentityKey(ByteString.copyFrom(identity.publicKey().toProtobuf()))
        .setIdentitySig(ByteString.copyFrom(sig))
        .build()
        .toByteArray();
  }

  /**
   * Verifies the remote's payload against the Noise static key it proved, and returns its PeerId.
   *
   * @throws NoiseException for an undecodable payload, an unsupported key, or a bad signature
   */
  public static PeerId verify(byte[] payload, byte[] remoteStatic) throws NoiseException {
    NoiseHandshakePayload p;
    try {
      p = NoiseHandshakePayload.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new NoiseException("handshake payload is not a valid protobuf", e);
    }
    if (!p.hasIdentityKey() || !p.hasIdentitySig()) {
      throw new NoiseException("handshake payload without identity key or signature");
    }
    PublicKey key;
    try {
      key = PublicKey.fromProtobuf(p.getIdentityKey().toByteArray());
    } catch (DecodeException e) {
      throw new NoiseException("bad identity key: " + e.getMessage(), e);
    }
    if (!key.verify(concat(PREFIX, remoteStatic), p.getIdentitySig().toByteArray())) {
      throw new NoiseException("bad identity signature over the noise static key");
    }
    return PeerId.fromPublicKey(key);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
