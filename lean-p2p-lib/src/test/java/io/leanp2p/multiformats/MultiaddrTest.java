package io.leanp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class MultiaddrTest {
  static final String SECP_PEER = "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY";

  static void assertReason(String text, DecodeException.Reason reason) {
    assertThatThrownBy(() -> Multiaddr.parse(text))
        .as(text)
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).as(text).isEqualTo(reason));
  }

  @Test
  void knownBinaryEncodings() throws DecodeException {
    check("/ip4/127.0.0.1/tcp/4001", "047f000001060fa1");
    check("/ip4/127.0.0.1/udp/1234/quic-v1", "047f000001910204d2cd03");
    check("/ip4/127.0.0.1/udp/1234/quic", "047f000001910204d2cc03");
    check("/ip6/::1/tcp/1234", "29" + "00".repeat(15) + "01" + "0604d2");
    check("/dns4/boot.lean.dev/tcp/9000", "360d" + Hex.encode("boot.lean.dev".getBytes()) + "062328");
    byte[] mh = Base58.decode(SECP_PEER);
    check("/ip4/1.2.3.4/udp/9000/quic-v1/p2p/" + SECP_PEER,
        "04010203049102" + "2328cd03" + "a503" + Hex.encode(Varint.encode(mh.length)) + Hex.encode(mh));
  }

  private static void check(String text, String hex) throws DecodeException {
    Multiaddr m = Multiaddr.parse(text);
    assertThat(Hex.encode(m.toBytes())).as(text).isEqualTo(hex);
    assertThat(m.toString()).isEqualTo(text);
    Multiaddr b = Multiaddr.fromBytes(Hex.decode(hex));
    assertThat(b).isEqualTo(m).hasSameHashCodeAs(m);
    assertThat(b.toString()).isEqualTo(text);
  }

  @Test
  void ip6TextIsCanonicalised() throws DecodeException {
    assertThat(Multiaddr.parse("/ip6/0:0:0:0:0:0:0:1/udp/1").toString()).isEqualTo("/ip6/::1/udp/1");
    assertThat(Multiaddr.parse("/ip6/2001:DB8:0:0:1:0:0:1/udp/1").toString()).isEqualTo("/ip6/2001:db8::1:0:0:1/udp/1");
    assertThat(Multiaddr.parse("/ip6/::/udp/1").toString()).isEqualTo("/ip6/::/udp/1");
    assertThat(Multiaddr.parse("/ip6/1:0:2:3:4:5:6:7/udp/1").toString()).isEqualTo("/ip6/1:0:2:3:4:5:6:7/udp/1");
    assertThat(Multiaddr.parse("/ip6/::ffff:1.2.3.4/tcp/1").components().get(0).value())
        .isEqualTo(Hex.decode("00000000000000000000ffff01020304"));
    for (String bad : new String[] {"1::2::3", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::", "1.2.3.4", "", "::1.2.3", "1:2:3:4:5:6:7:8::"}) {
      assertReason("/ip6/" + bad + "/tcp/1", DecodeException.Reason.MALFORMED);
    }
  }

  @Test
  void rejectsUnknownAndMalformed() {
    assertReason("/ip4/1.2.3.4/sctp/5", DecodeException.Reason.UNSUPPORTED);
    assertReason("/onion3/abc", DecodeException.Reason.UNSUPPORTED);
    assertThatThrownBy(() -> Multiaddr.fromBytes(Hex.decode("8405")))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("unknown multiaddr protocol code 0x284")
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.UNSUPPORTED));
    assertThatThrownBy(() -> Multiaddr.fromBytes(Hex.decode("ffffffffffffffffff01")))
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.UNSUPPORTED));
    assertThatThrownBy(() -> new Multiaddr.Component(Multiaddr.Protocol.IP4, new byte[3]))
        .isInstanceOf(IllegalArgumentException.class);
    assertReason("", DecodeException.Reason.MALFORMED);
    assertReason("/", DecodeException.Reason.MALFORMED);
    assertReason("ip4/1.2.3.4", DecodeException.Reason.MALFORMED);
    assertReason("/ip4/1.2.3.4/", DecodeException.Reason.MALFORMED);
    assertReason("/ip4//tcp/1", DecodeException.Reason.MALFORMED);
    assertReason("/ip4/1.2.3.4/tcp", DecodeException.Reason.TRUNCATED);
    assertReason("/ip4/1.2.3.256", DecodeException.Reason.MALFORMED);
    assertReason("/ip4/1.2.3", DecodeException.Reason.MALFORMED);
    assertReason("/ip4/01.2.3.4", DecodeException.Reason.NON_CANONICAL);
    assertReason("/ip4/1.2.3.4/tcp/65536", DecodeException.Reason.MALFORMED);
    assertReason("/ip4/1.2.3.4/tcp/080", DecodeException.Reason.NON_CANONICAL);
    assertReason("/ip4/1.2.3.4/tcp/+80", DecodeException.Reason.MALFORMED);
    assertReason("/ip4/1.2.3.4/tcp/-1", DecodeException.Reason.MALFORMED);
    assertReason("/p2p/QmNotBase58l", DecodeException.Reason.MALFORMED);
    assertReason("/dns4/a b", DecodeException.Reason.MALFORMED);
    assertThatThrownBy(() -> Multiaddr.fromBytes(new byte[0])).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Multiaddr.fromBytes(Hex.decode("047f0000"))).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Multiaddr.fromBytes(Hex.decode("a503ff"))).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> Multiaddr.fromBytes(new byte[Multiaddr.MAX_BYTES + 1]))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void socketAddressesAndP2p() throws Exception {
    InetSocketAddress sa = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 9001);
    Multiaddr q = Multiaddr.quic(sa);
    assertThat(q.toString()).isEqualTo("/ip4/10.0.0.1/udp/9001/quic-v1");
    assertThat(q.isQuic()).isTrue();
    assertThat(q.isTcp()).isFalse();
    assertThat(q.toSocketAddress()).isEqualTo(sa);
    Multiaddr t = Multiaddr.tcp(new InetSocketAddress(InetAddress.getByName("::1"), 30303));
    assertThat(t.toString()).isEqualTo("/ip6/::1/tcp/30303");
    assertThat(t.isTcp()).isTrue();
    assertThat(t.isQuic()).isFalse();
    assertThat(t.toSocketAddress().getPort()).isEqualTo(30303);
    assertThat(q.p2p()).isEmpty();

    byte[] mh = Base58.decode(SECP_PEER);
    Multiaddr withId = q.withP2p(mh);
    assertThat(withId.toString()).isEqualTo("/ip4/10.0.0.1/udp/9001/quic-v1/p2p/" + SECP_PEER);
    assertThat(withId.p2p()).hasValueSatisfying(v -> assertThat(v).isEqualTo(mh));
    assertThat(withId.isQuic()).isTrue();
    assertThat(withId.toSocketAddress()).isEqualTo(sa);
    assertThat(withId.withP2p(mh)).isEqualTo(withId);
    assertThat(withId.withoutP2p()).isEqualTo(q);
    assertThatThrownBy(() -> q.withP2p(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Multiaddr.parse("/p2p/" + SECP_PEER).toSocketAddress())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Multiaddr.tcp(InetSocketAddress.createUnresolved("example.org", 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Multiaddr.parse("/dns4/a.b/udp/1/quic-v1").isQuic()).isTrue();
    assertThat(Multiaddr.parse("/ip4/1.2.3.4/udp/1/quic").isQuic()).isFalse();
  }

  // ---- properties -----------------------------------------------------------------------------

  @Provide
  Arbitrary<Multiaddr> multiaddrs() {
    Arbitrary<Multiaddr.Component> host = Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofSize(4).map(b -> new Multiaddr.Component(Multiaddr.Protocol.IP4, b)),
        Arbitraries.bytes().array(byte[].class).ofSize(16).map(b -> new Multiaddr.Component(Multiaddr.Protocol.IP6, b)),
        Arbitraries.strings().withCharRange('a', 'z').withChars("-._0123456789").ofMinLength(1).ofMaxLength(30)
            .map(s -> new Multiaddr.Component(Multiaddr.Protocol.DNS4, s.getBytes())));
    Arbitrary<Multiaddr.Component> port = Combinators.combine(
            Arbitraries.of(Multiaddr.Protocol.TCP, Multiaddr.Protocol.UDP), Arbitraries.integers().between(0, 65535))
        .as((p, n) -> new Multiaddr.Component(p, new byte[] {(byte) (n >> 8), (byte) (int) n}));
    Arbitrary<Multiaddr.Component> p2p = Combinators.combine(Arbitraries.bytes().array(byte[].class).ofSize(32),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(42), Arbitraries.of(true, false))
        .as((d, id, sha) -> new Multiaddr.Component(Multiaddr.Protocol.P2P,
            sha ? Multihash.sha256(d) : Multihash.identity(id)));
    Arbitrary<Multiaddr.Component> flag = Arbitraries.of(
        new Multiaddr.Component(Multiaddr.Protocol.QUIC_V1, new byte[0]),
        new Multiaddr.Component(Multiaddr.Protocol.QUIC, new byte[0]));
    Arbitrary<Multiaddr.Component> any = Arbitraries.oneOf(host, port, p2p, flag);
    return any.list().ofMinSize(1).ofMaxSize(8).map(cs -> {
      try {
        return Multiaddr.of(new ArrayList<>(cs));
      } catch (DecodeException e) {
        throw new AssertionError(e);
      }
    });
  }

  @Property
  void textAndBinaryRoundTrip(@ForAll("multiaddrs") Multiaddr m) throws DecodeException {
    String text = m.toString();
    Multiaddr fromText = Multiaddr.parse(text);
    assertThat(fromText).isEqualTo(m);
    assertThat(fromText.toString()).isEqualTo(text);
    Multiaddr fromBin = Multiaddr.fromBytes(m.toBytes());
    assertThat(fromBin).isEqualTo(m);
    assertThat(fromBin.components()).isEqualTo(m.components());
    assertThat(fromBin.toString()).isEqualTo(text);
  }

  @Property
  void binaryGarbageOnlyDecodeException(@ForAll("garbageBytes") byte[] in) {
    try {
      Multiaddr m = Multiaddr.fromBytes(in);
      assertThat(m.toBytes()).isEqualTo(in);
      assertThat(Multiaddr.parse(m.toString())).isEqualTo(m);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<byte[]> garbageBytes() {
    // bias towards known codes so that garbage gets past the first varint often
    Arbitrary<byte[]> known = Arbitraries.of("04", "06", "29", "3603", "9102", "a503", "cd03", "cc03", "0a", "20")
        .list().ofMaxSize(6).map(l -> Hex.decode(String.join("", l)));
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    return Combinators.combine(known, random, Arbitraries.integers().between(0, 2)).as((k, r, mode) -> {
      if (mode == 0) {
        return r;
      }
      byte[] out = new byte[k.length + r.length];
      System.arraycopy(k, 0, out, 0, k.length);
      System.arraycopy(r, 0, out, k.length, r.length);
      return out;
    });
  }

  @Property
  void textGarbageOnlyDecodeException(@ForAll("garbageText") String s) {
    try {
      Multiaddr m = Multiaddr.parse(s);
      assertThat(Multiaddr.fromBytes(m.toBytes())).isEqualTo(m);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<String> garbageText() {
    Arbitrary<String> tokens = Arbitraries.of("/", "ip4", "ip6", "tcp", "udp", "quic-v1", "quic", "p2p", "dns4",
        "1.2.3.4", "::1", "::", ":", "0", "65535", "99999", "01", SECP_PEER, "Qm", "a.b", ".", "ff", "-")
        .list().ofMaxSize(10).map(l -> String.join("", l));
    Arbitrary<String> joined = Arbitraries.of("/ip4/", "/ip6/", "/tcp/", "/udp/", "/p2p/", "/quic-v1", "/dns/")
        .list().ofMaxSize(4).map(l -> String.join("", l));
    return Combinators.combine(joined, tokens, Arbitraries.strings().ofMaxLength(8)).as((a, b, c) -> a + b + c);
  }

  @Test
  void componentLimit() {
    String many = "/quic-v1".repeat(Multiaddr.MAX_COMPONENTS + 1);
    assertReason(many, DecodeException.Reason.TOO_LARGE);
  }
}
