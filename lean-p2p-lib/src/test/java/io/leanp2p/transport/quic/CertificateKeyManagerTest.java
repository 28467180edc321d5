package io.leanp2p.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.Secp256k1PrivateKey;
import java.security.SecureRandom;
import java.time.Instant;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.Test;

/**
 * The in-memory key manager offers the endpoint's certificate and key for EC key types only, and
 * nothing under another alias. (End to end, every QUIC test's mutually authenticated handshake
 * goes through it.)
 */
class CertificateKeyManagerTest {
  @Test
  void offersTheCertificateAndKeyForEcOnly() {
    SecureRandom random = new SecureRandom(new byte[] {4, 5, 6});
    CertAndKey ck = Libp2pTls.generate(Secp256k1PrivateKey.generate(random), random, Instant.now());
    KeyManager[] kms = CertificateKeyManager.factory(ck).getKeyManagers();
    assertThat(kms).hasSize(1);
    X509ExtendedKeyManager km = (X509ExtendedKeyManager) kms[0];

    String server = km.chooseEngineServerAlias("EC", null, null);
    assertThat(server).isNotNull();
    assertThat(km.chooseEngineServerAlias("RSA", null, null)).isNull();
    assertThat(km.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null)).isEqualTo(server);
    assertThat(km.chooseEngineClientAlias(new String[] {"RSA"}, null, null)).isNull();
    assertThat(km.getPrivateKey(server)).isSameAs(ck.tlsKey());
    assertThat(km.getCertificateChain(server)).containsExactly(ck.certificate());
    assertThat(km.getPrivateKey("other")).isNull();
    assertThat(km.getCertificateChain("other")).isNull();
  }
}
