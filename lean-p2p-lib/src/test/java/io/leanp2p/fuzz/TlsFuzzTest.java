package io.leanp2p.fuzz;

import static io.leanp2p.fuzz.FuzzSupport.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.transport.quic.CertificateRejectedException;
import io.leanp2p.transport.quic.CertificateRejectedException.Reason;
import io.leanp2p.transport.quic.Libp2pTls;
import io.leanp2p.transport.quic.TlsFuzzAccess;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * The libp2p TLS certificate a QUIC peer presents, in two targets that together cover every byte
 * a peer controls:
 *
 * <ul>
 *   <li>{@link #certificate}: the whole chain check on attacker DER (at most 16 KiB): DER
 *       strictness, the X.509 structure, validity, the self-signature, the extension lookup.
 *       Mutated DER practically never keeps a valid self-signature, so the extension behind it is
 *       reached by the seed only;
 *   <li>{@link #extension}: what the check does with the extension's value once the self-signature
 *       verified ({@code Libp2pTls.verifySignedKey}, the very method {@code verify} calls): the
 *       SignedKey DER, the identity key protobuf, the identity's signature over the certificate's
 *       key. Here the certificate's key is fixed (leanSpec's sample), so no certificate has to be
 *       signed per input.
 * </ul>
 *
 * <p>Only leanSpec's sample identity holds a key that signed that certificate key, so anything
 * accepted must prove its PeerId: an acceptance under any other key would be a forgery.
 */
class TlsFuzzTest {
  /** Inside the validity of the seed certificate (leanSpec's sample: 2026-11-23 to 2027-11-24). */
  static final Instant NOW = Instant.parse("2027-06-01T00:00:00Z");

  /** leanSpec's sample certificate key (SubjectPublicKeyInfo DER), which its identity signed. */
  private static final byte[] SAMPLE_SPKI = Hex.decode(
      "3059301306072a8648ce3d020106082a8648ce3d03010703420004528e519bb8b2f2020738c1f6f0a03ba1db394c29"
          + "f4207cdddeb9debbc6c4c345628fe24d47e02b370e3363c27f1a735f8d0fd41fa17873b9785ce0cd26f356af");

  private static final PeerId SAMPLE_ID = sampleId();

  private static final Set<Reason> EXTENSION_REASONS =
      EnumSet.of(Reason.MALFORMED_EXTENSION, Reason.UNSUPPORTED_KEY_TYPE, Reason.BAD_SIGNATURE);

  @FuzzTest
  void certificate(byte[] der) {
    try {
      PeerId id = Libp2pTls.verify(new byte[][] {der}, NOW);
      check(SAMPLE_ID.equals(id), "a certificate accepted for another identity than the sample's");
    } catch (CertificateRejectedException e) {
      check(e.reason() != null, "rejection without a reason");
    }
  }

  /** The extension value (SignedKey DER) checked against the sample certificate's key. */
  @FuzzTest
  void extension(byte[] signedKey) {
    try {
      PeerId id = TlsFuzzAccess.verifySignedKey(signedKey, SAMPLE_SPKI);
      check(SAMPLE_ID.equals(id), "an extension accepted for another identity than the sample's");
    } catch (CertificateRejectedException e) {
      if (!EXTENSION_REASONS.contains(e.reason())) {
        throw new AssertionError("extension rejected as " + e.reason(), e);
      }
    }
  }

  private static PeerId sampleId() {
    try {
      return PeerId.fromBase58("16Uiu2HAm9Wu4zda3t7yoyKN7hdXbBmR3o1nPMHQwzyyWiHCLmDr4");
    } catch (DecodeException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
