package io.leanp2p.crypto.enr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class EnrTest {
  /** The EIP-778 example record and its private key. */
  static final String EIP778 =
      "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8";
  static final String EIP778_KEY = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291";

  static void assertReason(Runnable0 r, DecodeException.Reason reason) {
    assertThatThrownBy(r::run)
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(reason));
  }

  interface Runnable0 {
    void run() throws Exception;
  }

  @Test
  void eip778ExampleDecodesAndIsReproducedBySigning() throws Exception {
    Enr enr = Enr.parseVerified(EIP778);
    assertThat(enr.seq()).isEqualTo(1);
    assertThat(enr.keys()).containsExactly("id", "ip", "secp256k1", "udp");
    assertThat(Hex.encode(enr.nodeId().orElseThrow()))
        .isEqualTo("a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7");
    Secp256k1PrivateKey key = Secp256k1PrivateKey.fromHex(EIP778_KEY);
    assertThat(enr.secp256k1Key()).contains(key.publicKey());
    Map<String, byte[]> pairs = new LinkedHashMap<>();
    pairs.put("udp", Hex.decode("765f"));
    pairs.put("ip", Hex.decode("7f000001"));
    // RFC 6979 + low-S is deterministic, as in libsecp256k1: the exact published record
    Enr made = Enr.create(key, 1, pairs);
    assertThat(made.toText()).isEqualTo(EIP778);
    assertThat(enr.tcpDialMultiaddr()).isEmpty();
    PeerId id = PeerId.fromPublicKey(key.publicKey());
    assertThat(enr.dialMultiaddrs()).hasSize(1);
    assertThat(enr.dialMultiaddr().orElseThrow().toString())
        .isEqualTo("/ip4/127.0.0.1/udp/30303/quic-v1/p2p/" + id)
        .endsWith("16Uiu2HAmSH2XVgZqYHWucap5kuPzLnt2TsNQkoppVxB5eJGvaXwm");
  }

  @Test
  void tcpAndQuicDialAddresses() throws Exception {
    Secp256k1PrivateKey key = Secp256k1PrivateKey.generate(seeded(1));
    Map<String, byte[]> pairs = new LinkedHashMap<>();
    pairs.put("ip", new byte[] {10, 1, 2, 3});
    pairs.put("tcp", Hex.decode("2328"));
    pairs.put("quic", Hex.decode("2329"));
    pairs.put("udp", Hex.decode("232a"));
    pairs.put("is_aggregator", new byte[] {1});
    pairs.put("attnets", Hex.decode("0100000000000080"));
    pairs.put("eth2", Hex.decode("12345678" + "abcdef00" + "6400000000000000"));
    Enr enr = Enr.parseVerified(Enr.create(key, 7, pairs).toText());
    String id = PeerId.fromPublicKey(key.publicKey()).toBase58();
    assertThat(enr.dialMultiaddrs().stream().map(Object::toString).toList())
        .containsExactly("/ip4/10.1.2.3/udp/9001/quic-v1/p2p/" + id, "/ip4/10.1.2.3/tcp/9000/p2p/" + id);
    assertThat(enr.isAggregator()).isTrue();
    assertThat(enr.attnets().orElseThrow().stream().toArray()).containsExactly(0, 63);
    assertThat(enr.eth2().orElseThrow().nextForkEpoch()).isEqualTo(100);
    assertThat(enr.udpPort()).hasValue(9002);
    assertThat(enr.seq()).isEqualTo(7);
    assertThat(enr.toString()).contains("quic=9001").contains(id);
  }

  @Test
  void malformedValuesAreAbsentNotFatal() throws Exception {
    Secp256k1PrivateKey key = Secp256k1PrivateKey.generate(seeded(2));
    Map<String, byte[]> pairs = new LinkedHashMap<>();
    pairs.put("ip", new byte[] {10, 1, 2});
    pairs.put("udp", Hex.decode("00ff"));
    pairs.put("quic", Hex.decode("010203"));
    pairs.put("eth2", new byte[15]);
    pairs.put("attnets", new byte[9]);
    pairs.put("is_aggregator", new byte[] {2});
    Enr enr = Enr.create(key, 0, pairs);
    assertThat(enr.signatureValid()).isTrue();
    assertThat(enr.ip4()).isEmpty();
    assertThat(enr.udpPort()).isEmpty();
    assertThat(enr.quicPort()).isEmpty();
    assertThat(enr.eth2()).isEmpty();
    assertThat(enr.attnets()).isEmpty();
    assertThat(enr.isAggregator()).isFalse();
    assertThat(enr.multiaddr()).isEmpty();
    assertThat(enr.dialMultiaddrs()).isEmpty();
  }

  @Test
  void signatureChecks() throws Exception {
    Enr enr = Enr.parse(EIP778);
    byte[] rlp = enr.toRlp();
    // flip one bit of the ip value (last byte of 7f000001)
    int ipAt = Hex.encode(rlp).indexOf("847f000001") / 2 + 4;
    rlp[ipAt] ^= 1;
    Enr tampered = Enr.fromRlp(rlp);
    assertThat(tampered.isValid()).isTrue();
    assertThat(tampered.signatureValid()).isFalse();
    assertReason(() -> Enr.parseVerified(tampered.toText()), DecodeException.Reason.BAD_CHECKSUM);
    // a record signed with another key but claiming this key
    Secp256k1PrivateKey other = Secp256k1PrivateKey.generate(seeded(3));
    Enr byOther = Enr.create(other, 1, Map.of());
    assertThat(byOther.signatureValid()).isTrue();
  }

  @Test
  void rejections() throws Exception {
    byte[] sig = Rlp.encodeBytes(new byte[64]);
    byte[] id = Rlp.encodeBytes("id".getBytes());
    byte[] v4 = Rlp.encodeBytes("v4".getBytes());
    byte[] ip = Rlp.encodeBytes("ip".getBytes());
    byte[] ipv = Rlp.encodeBytes(new byte[] {1, 2, 3, 4});
    byte[] one = Rlp.encodeUnsigned(1);
    // keys out of order and duplicated
    assertReason(() -> Enr.fromRlp(Rlp.encodeList(List.of(sig, one, ip, ipv, id, v4))), DecodeException.Reason.NON_CANONICAL);
    assertReason(() -> Enr.fromRlp(Rlp.encodeList(List.of(sig, one, id, v4, id, v4))), DecodeException.Reason.NON_CANONICAL);
    // odd item count, missing seq, wrong signature size, list as key, seq with leading zero, seq > 8 bytes
    assertReason(() -> Enr.fromRlp(Rlp.encodeList(List.of(sig, one, id))), DecodeException.Reason.MALFORMED);
    assertReason(() -> Enr.fromRlp(Rlp.encodeList(List.of(sig))), DecodeException.Reason.MALFORMED);
    assertReason(() -> Enr.fromRlp(Rlp.encodeList(List.of(Rlp.encodeBytes(new byte[65]), one))), DecodeException.Reason.MALFORMED);
    assertReason(() -> Enr.fromRlp(Rlp.encodeList(List.of(sig, one, Rlp.encodeList(List.of()), v4))), DecodeException.Reason.MALFORMED);
    assertReason(() -> Enr.fromRlp(Rlp.encodeList(List.of(sig, Rlp.encodeBytes(new byte[] {0, 1})))), DecodeException.Reason.NON_CANONICAL);
    assertReason(() -> Enr.fromRlp(Rlp.encodeList(List.of(sig, Rlp.encodeBytes(new byte[9])))), DecodeException.Reason.TOO_LARGE);
    assertReason(() -> Enr.fromRlp(Rlp.encodeList(List.of(sig, one, Rlp.encodeBytes(new byte[] {(byte) 0xff}), v4))), DecodeException.Reason.MALFORMED);
    assertReason(() -> Enr.fromRlp(Rlp.encodeBytes(new byte[64])), DecodeException.Reason.MALFORMED);
    // oversize: checked before parsing
    assertReason(() -> Enr.fromRlp(new byte[301]), DecodeException.Reason.TOO_LARGE);
    Secp256k1PrivateKey k4 = Secp256k1PrivateKey.generate(seeded(4));
    assertThatThrownBy(() -> Enr.create(k4, 1, Map.of("big", new byte[250])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds limit 300");
    // text form
    assertReason(() -> Enr.parse(EIP778.substring(4)), DecodeException.Reason.MALFORMED);
    assertReason(() -> Enr.parse(EIP778 + "="), DecodeException.Reason.NON_CANONICAL);
    assertReason(() -> Enr.parse(EIP778.replace('-', '+')), DecodeException.Reason.MALFORMED);
    assertReason(() -> Enr.parse("enr:" + "A".repeat(500)), DecodeException.Reason.TOO_LARGE);
    // non-zero trailing bits in the last base64 character
    String last = EIP778.substring(EIP778.length() - 1);
    String bumped = EIP778.substring(0, EIP778.length() - 1) + (char) (last.charAt(0) + 1);
    assertReason(() -> Enr.parse(bumped), DecodeException.Reason.NON_CANONICAL);
  }

  @Property
  void rlpGarbageOnlyDecodeException(@ForAll("garbage") byte[] in) {
    try {
      assertThat(Enr.fromRlp(in).toRlp()).isEqualTo(in);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    byte[] valid = java.util.Base64.getUrlDecoder().decode(EIP778.substring(4));
    Arbitrary<byte[]> mutated = Arbitraries.longs().map(seed -> {
      Random r = new Random(seed);
      byte[] b = valid.clone();
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      }
      return r.nextInt(4) == 0 ? java.util.Arrays.copyOf(b, r.nextInt(b.length + 2)) : b;
    });
    return Arbitraries.oneOf(mutated, Arbitraries.bytes().array(byte[].class).ofMaxSize(320));
  }

  @Property
  void textGarbageOnlyDecodeException(@ForAll("text") String s) {
    try {
      assertThat(Enr.parse(s).toText()).isEqualTo(s);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("enr:-_+/=AZaz09").ofMaxLength(40),
        Arbitraries.strings().ofMaxLength(20).map(s -> "enr:" + s),
        Arbitraries.integers().between(0, EIP778.length() - 1).map(i -> EIP778.substring(0, i)));
  }

  @Property(tries = 300)
  void createParseRoundTrip(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    Secp256k1PrivateKey key = Secp256k1PrivateKey.generate(seeded(seed));
    Map<String, byte[]> pairs = new LinkedHashMap<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      byte[] v = new byte[r.nextInt(20)];
      r.nextBytes(v);
      String k = Integer.toString(r.nextInt(1_000_000), 36);
      if (!k.equals("id") && !k.equals("secp256k1")) {
        pairs.put(k, v);
      }
    }
    long seq = r.nextLong();
    Enr made = Enr.create(key, seq, pairs);
    Enr back = Enr.parseVerified(made.toText());
    assertThat(back).isEqualTo(made);
    assertThat(back.seq()).isEqualTo(seq);
    for (Map.Entry<String, byte[]> e : pairs.entrySet()) {
      assertThat(back.get(e.getKey())).hasValueSatisfying(v -> assertThat(v).isEqualTo(e.getValue()));
    }
    List<String> sorted = new ArrayList<>(back.keys());
    sorted.sort(String::compareTo);
    assertThat(back.keys()).isEqualTo(sorted);
    assertThat(back.peerId()).contains(PeerId.fromPublicKey(key.publicKey()));
  }

  static SecureRandom seeded(long seed) throws Exception {
    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
    r.setSeed(seed);
    return r;
  }
}
