package io.leanp2p.transport.quic;

import io.leanp2p.crypto.PeerId;

/** Test-only access for the fuzz targets in {@code io.leanp2p.fuzz}: the libp2p extension check. */
public final class TlsFuzzAccess {
  private TlsFuzzAccess() {}

  /**
   * What {@link Libp2pTls#verify} does with the libp2p extension's value once the certificate
   * parsed and its self-signature verified: SignedKey DER, identity key, identity signature over
   * {@code spki}.
   */
  public static PeerId verifySignedKey(byte[] extensionValue, byte[] spki) throws CertificateRejectedException {
    return Libp2pTls.verifySignedKey(extensionValue, spki);
  }
}
