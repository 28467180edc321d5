package io.leanp2p.transport.quic;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A libp2p TLS certificate and its fresh P-256 key, for one QUIC endpoint.
 *
 * @param certificateDer the self-signed X.509 certificate, DER
 * @param certificate the same certificate as a JDK object (for Netty's key manager)
 * @param tlsKey the certificate's P-256 private key (not the libp2p identity key)
 */
public record CertAndKey(byte[] certificateDer, X509Certificate certificate, PrivateKey tlsKey) {
  public CertAndKey {
    certificateDer = certificateDer.clone();
  }

  @Override
  public byte[] certificateDer() {
    return certificateDer.clone();
  }
}
