package io.leanp2p.crypto;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;

/** The secp256k1 curve parameters (immutable constants shared by the key classes). */
final class Secp256k1 {
  static final ECDomainParameters DOMAIN;
  static final BigInteger N;
  static final BigInteger HALF_N;

  static {
    X9ECParameters p = CustomNamedCurves.getByName("secp256k1");
    DOMAIN = new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH());
    N = p.getN();
    HALF_N = N.shiftRight(1);
  }

  private Secp256k1() {}
}
