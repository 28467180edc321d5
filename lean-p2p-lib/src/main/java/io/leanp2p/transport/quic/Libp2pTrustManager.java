package io.leanp2p.transport.quic;

import io.leanp2p.crypto.PeerId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS trust decision of libp2p: no PKI, the peer's single self-signed certificate must carry a
 * valid libp2p extension ({@link Libp2pTls#verify}), and on a dial with an expected PeerId it must
 * prove that PeerId.
 *
 * <p>The server side uses one instance for all inbound handshakes: it holds no per-handshake
 * state. A dial uses its own instance ({@code expected} set), which also remembers why it rejected
 * so the dial can fail with a typed reason. The PeerId of a connection is never taken from here:
 * the transport re-derives it from the certificate of that connection's own SSL session.
 *
 * <p>Every exception is reduced by BoringSSL to {@code CERTIFICATE_VERIFY_FAILED}, so rejections
 * are logged and reported through {@code onReject} here.
 */
final class Libp2pTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(Libp2pTrustManager.class);
  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

  private final Clock clock;
  private final PeerId expected;
  private final Consumer<CertificateRejectedException> onReject;
  /** Written by the handshake of the single dial owning this instance (null on the server). */
  private volatile CertificateRejectedException rejection;

  Libp2pTrustManager(Clock clock, PeerId expected, Consumer<CertificateRejectedException> onReject) {
    this.clock = clock;
    this.expected = expected;
    this.onReject = onReject;
  }

  /** Why this (dial) trust manager rejected the server's certificate, or null. */
  CertificateRejectedException rejection() {
    return rejection;
  }

  private void check(X509Certificate[] chain, String side) throws CertificateException {
    try {
      byte[][] der = new byte[chain == null ? 0 : chain.length][];
      for (int i = 0; i < der.length; i++) {
        der[i] = chain[i].getEncoded(); // raw DER only; never let the JDK parse it
      }
      PeerId proven = Libp2pTls.verify(der, clock.instant());
      if (expected != null && !expected.equals(proven)) {
        throw new CertificateRejectedException(
            CertificateRejectedException.Reason.PEER_ID_MISMATCH,
            "dialed " + expected + " but the peer proved " + proven);
      }
    } catch (CertificateRejectedException e) {
      rejection = e;
      log.debug("rejected {} certificate: {}", side, e.getMessage());
      onReject.accept(e);
      throw new CertificateException(e.getMessage(), e);
    } catch (CertificateException | RuntimeException e) {
      var r =
          new CertificateRejectedException(
              CertificateRejectedException.Reason.MALFORMED_CERTIFICATE, e.toString(), e);
      rejection = r;
      log.debug("rejected {} certificate: {}", side, r.getMessage());
      onReject.accept(r);
      throw new CertificateException(r.getMessage(), e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, "server");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }
}
