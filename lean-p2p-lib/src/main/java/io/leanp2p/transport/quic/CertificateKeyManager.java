package io.leanp2p.transport.quic;

import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key manager of one QUIC endpoint: its one libp2p certificate and P-256 key, held in memory.
 *
 * <p>Netty's {@code QuicSslContextBuilder.keyManager(PrivateKey, password, certificate)} would put
 * them into a PKCS#12 key store first, whose password-based encryption (PBKDF2, 10,000 HMAC
 * iterations, once to store and once to read back) costs tens of milliseconds of CPU per listener
 * and per client endpoint, for nothing: the key never leaves the process. BoringSSL asks this
 * manager for the alias, then the key and chain, exactly as it would ask the key store's.
 */
final class CertificateKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "libp2p";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  private CertificateKeyManager(CertAndKey ck) {
    this.key = ck.tlsKey();
    this.chain = new X509Certificate[] {ck.certificate()};
  }

  /** A key manager factory over {@code ck} (no key store). */
  static KeyManagerFactory factory(CertAndKey ck) {
    return new KeyManagerFactoryWrapper(new CertificateKeyManager(ck));
  }

  /** Our key is EC (P-256): offered for EC key types only. */
  private static String aliasFor(String keyType) {
    return keyType != null && keyType.startsWith("EC") ? ALIAS : null;
  }

  private static String aliasFor(String[] keyTypes) {
    if (keyTypes != null) {
      for (String t : keyTypes) {
        if (aliasFor(t) != null) {
          return ALIAS;
        }
      }
    }
    return null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return aliasFor(keyType) == null ? null : new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return aliasFor(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyTypes);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return aliasFor(keyType) == null ? null : new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }
}
