package io.leanp2p.transport.quic;

import io.leanp2p.crypto.PeerId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS trust decision of libp2p: no PKI; the peer's single self-signed certificate must carry a
 * valid libp2p extension ({@link Libp2pTls#verify}).
 *
 * <p>One instance serves all handshakes of a transport and holds no per-handshake state: the
 * outcome of a handshake is written into <em>that handshake's own</em> {@link SSLSession} ({@link
 * #PEER_ID} on success, {@link #REJECTION} on failure), where the transport reads it back from the
 * connection's {@code QuicChannel.sslEngine()}. So concurrent handshakes cannot see each other's
 * PeerIds. A dial stores the PeerId it expects in its own session ({@link #EXPECTED}) before the
 * handshake starts, so a different PeerId fails the handshake itself.
 *
 * <p>BoringSSL reduces every exception to {@code CERTIFICATE_VERIFY_FAILED}; the typed reason is
 * therefore also reported through {@code onReject} (the transport's counters) and logged here.
 */
final class Libp2pTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(Libp2pTrustManager.class);
  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

  /** Session value: the {@link PeerId} the peer's certificate proved. */
  static final String PEER_ID = "io.leanp2p.libp2p-tls.peer-id";

  /**
   * Session value set by the dialer before the handshake: the {@link PeerId} it dialed. A peer
   * proving another PeerId is rejected during the handshake ({@code PEER_ID_MISMATCH}).
   */
  static final String EXPECTED = "io.leanp2p.libp2p-tls.expected-peer-id";

  /** Session value: the {@link CertificateRejectedException} that failed the handshake. */
  static final String REJECTION = "io.leanp2p.libp2p-tls.rejection";

  private final Clock clock;
  private final Consumer<CertificateRejectedException> onReject;

  Libp2pTrustManager(Clock clock, Consumer<CertificateRejectedException> onReject) {
    this.clock = clock;
    this.onReject = onReject;
  }

  private void check(X509Certificate[] chain, SSLEngine engine, String side)
      throws CertificateException {
    SSLSession session = null;
    if (engine != null) {
      session = engine.getHandshakeSession();
      if (session == null) {
        session = engine.getSession();
      }
    }
    CertificateRejectedException rejected;
    try {
      byte[][] der = new byte[chain == null ? 0 : chain.length][];
      for (int i = 0; i < der.length; i++) {
        der[i] = chain[i].getEncoded(); // raw DER only: the JDK cannot parse rust's certificates
      }
      PeerId proven = Libp2pTls.verify(der, clock.instant());
      Object expected = value(engine, EXPECTED);
      if (expected instanceof PeerId exp && !exp.equals(proven)) {
        throw new CertificateRejectedException(
            CertificateRejectedException.Reason.PEER_ID_MISMATCH,
            "dialed " + exp + " but the peer proved " + proven);
      }
      if (session != null) {
        session.putValue(PEER_ID, proven);
      }
      return;
    } catch (CertificateRejectedException e) {
      rejected = e;
    } catch (CertificateException | RuntimeException e) {
      rejected =
          new CertificateRejectedException(
              CertificateRejectedException.Reason.MALFORMED_CERTIFICATE, e.toString(), e);
    }
    if (session != null) {
      session.putValue(REJECTION, rejected);
    }
    log.debug("rejected {} certificate: {}", side, rejected.getMessage());
    onReject.accept(rejected);
    throw new CertificateException(rejected.getMessage(), rejected);
  }

  private static Object value(SSLEngine engine, String name) {
    if (engine == null) {
      return null;
    }
    SSLSession hs = engine.getHandshakeSession();
    Object v = hs == null ? null : hs.getValue(name);
    return v != null ? v : engine.getSession().getValue(name);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, null, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, null, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, null, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, null, "server");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }
}
