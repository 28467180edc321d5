package io.leanp2p.crypto.enr;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.crypto.Secp256k1PublicKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.util.DecodeException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.bouncycastle.util.BigIntegers;

/**
 * An Ethereum Node Record (EIP-778), immutable. Decoding is strict: at most {@link #MAX_SIZE}
 * bytes (checked before parsing), canonical RLP, a 64-byte signature, a minimal big-endian
 * {@code seq} of at most 8 bytes, UTF-8 keys in strictly increasing byte order, and for the text
 * form canonical unpadded base64url after {@code "enr:"}.
 *
 * <p>Decoding does <em>not</em> require a valid signature (leanSpec's fixtures decode records with
 * a zero signature): check {@link #signatureValid()} (or use {@link #parseVerified}) before
 * trusting a record. Accessors for the well-known keys return empty when the key is absent or its
 * value is malformed.
 *
 * <p>Decision: this package depends on {@code io.leanp2p.crypto} (secp256k1 and PeerId); crypto
 * never depends on it.
 */
public final class Enr {
  /** Largest encoded record (EIP-778). */
  public static final int MAX_SIZE = 300;
  /** The text prefix. */
  public static final String PREFIX = "enr:";

  private final byte[] rlp;
  private final byte[] signature;
  private final long seq;
  private final Map<String, Rlp.Item> pairs;
  private final byte[] content;
  /**
   * {@link #secp256k1Key()}, decoded on first use: the point decompression is the costly part of
   * every accessor that needs the key (node id, PeerId, addresses, signature). The record is
   * immutable, so a racing first use merely decodes it twice (both values are immutable).
   */
  private Optional<Secp256k1PublicKey> key;

  private Enr(byte[] rlp, byte[] signature, long seq, Map<String, Rlp.Item> pairs, byte[] content) {
    this.rlp = rlp;
    this.signature = signature;
    this.seq = seq;
    this.pairs = pairs;
    this.content = content;
  }

  /**
   * Parses the text form {@code enr:<base64url>}.
   *
   * @throws DecodeException if the prefix, base64 or record is bad
   */
  public static Enr parse(String text) throws DecodeException {
    int maxChars = PREFIX.length() + (MAX_SIZE * 4 + 2) / 3;
    if (text.length() > maxChars) {
      throw DecodeException.tooLarge("ENR text length", text.length(), maxChars);
    }
    if (!text.startsWith(PREFIX)) {
      throw DecodeException.malformed("ENR text must start with 'enr:'");
    }
    String b64 = text.substring(PREFIX.length());
    byte[] raw;
    try {
      raw = java.util.Base64.getUrlDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new DecodeException(DecodeException.Reason.MALFORMED, "bad ENR base64: " + e.getMessage(), e);
    }
    if (!java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(b64)) {
      throw new DecodeException(DecodeException.Reason.NON_CANONICAL, "ENR base64 is padded or not canonical");
    }
    return fromRlp(raw);
  }

  /**
   * Parses a record and requires the "v4" scheme with a valid signature.
   *
   * @throws DecodeException {@code BAD_CHECKSUM} if the signature does not verify
   */
  public static Enr parseVerified(String text) throws DecodeException {
    Enr enr = parse(text);
    if (!enr.signatureValid()) {
      throw new DecodeException(DecodeException.Reason.BAD_CHECKSUM, "ENR signature does not verify");
    }
    return enr;
  }

  /**
   * Decodes the RLP form {@code [signature, seq, k1, v1, ...]}.
   *
   * @throws DecodeException for oversized, non-canonical or malformed records
   */
  public static Enr fromRlp(byte[] rlp) throws DecodeException {
    if (rlp.length > MAX_SIZE) {
      throw DecodeException.tooLarge("ENR", rlp.length, MAX_SIZE);
    }
    Rlp.Item top = Rlp.decode(rlp, MAX_SIZE);
    if (!top.isList()) {
      throw DecodeException.malformed("ENR is not an RLP list");
    }
    List<Rlp.Item> items = top.items();
    if (items.size() < 2) {
      throw DecodeException.malformed("ENR needs a signature and a seq");
    }
    if (items.size() % 2 != 0) {
      throw DecodeException.malformed("ENR has a key without a value");
    }
    byte[] sig = stringItem(items.get(0), "signature");
    if (sig.length != 64) {
      throw DecodeException.malformed("ENR signature must be 64 bytes, got " + sig.length);
    }
    byte[] seqBytes = stringItem(items.get(1), "seq");
    if (seqBytes.length > 8) {
      throw DecodeException.tooLarge("ENR seq bytes", seqBytes.length, 8);
    }
    if (seqBytes.length > 0 && seqBytes[0] == 0) {
      throw new DecodeException(DecodeException.Reason.NON_CANONICAL, "ENR seq with a leading zero");
    }
    long seq = 0;
    for (byte b : seqBytes) {
      seq = (seq << 8) | (b & 0xff);
    }
    Map<String, Rlp.Item> pairs = new LinkedHashMap<>();
    byte[] prev = null;
    for (int i = 2; i < items.size(); i += 2) {
      byte[] key = stringItem(items.get(i), "key");
      if (prev != null && Arrays.compareUnsigned(prev, key) >= 0) {
        throw new DecodeException(
            DecodeException.Reason.NON_CANONICAL, "ENR keys not strictly increasing at '" + utf8(key) + "'");
      }
      prev = key;
      pairs.put(utf8(key), items.get(i + 1));
    }
    List<byte[]> contentItems = new ArrayList<>(items.size() - 1);
    for (int i = 1; i < items.size(); i++) {
      contentItems.add(items.get(i).encoded());
    }
    return new Enr(rlp.clone(), sig, seq, Collections.unmodifiableMap(pairs), Rlp.encodeList(contentItems));
  }

  /**
   * Builds and signs a "v4" record with {@code key}; {@code id} and {@code secp256k1} are added,
   * other byte-string pairs are taken from {@code pairs} (sorted here).
   *
   * @throws IllegalArgumentException if the record would exceed {@link #MAX_SIZE}
   */
  public static Enr create(Secp256k1PrivateKey key, long seq, Map<String, byte[]> pairs) {
    SortedMap<byte[], byte[]> sorted = new TreeMap<>(Arrays::compareUnsigned);
    for (Map.Entry<String, byte[]> e : pairs.entrySet()) {
      sorted.put(e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue());
    }
    sorted.put("id".getBytes(StandardCharsets.US_ASCII), "v4".getBytes(StandardCharsets.US_ASCII));
    sorted.put("secp256k1".getBytes(StandardCharsets.US_ASCII), key.publicKey().raw());
    List<byte[]> content = new ArrayList<>();
    content.add(Rlp.encodeUnsigned(seq));
    for (Map.Entry<byte[], byte[]> e : sorted.entrySet()) {
      content.add(Rlp.encodeBytes(e.getKey()));
      content.add(Rlp.encodeBytes(e.getValue()));
    }
    BigInteger[] rs = key.signHash(keccak256(Rlp.encodeList(content)));
    byte[] sig = new byte[64];
    System.arraycopy(BigIntegers.asUnsignedByteArray(32, rs[0]), 0, sig, 0, 32);
    System.arraycopy(BigIntegers.asUnsignedByteArray(32, rs[1]), 0, sig, 32, 32);
    List<byte[]> all = new ArrayList<>();
    all.add(Rlp.encodeBytes(sig));
    all.addAll(content);
    try {
      return fromRlp(Rlp.encodeList(all));
    } catch (DecodeException e) {
      throw new IllegalArgumentException("cannot build ENR: " + e.getMessage(), e);
    }
  }

  private static byte[] stringItem(Rlp.Item item, String what) throws DecodeException {
    if (item.isList()) {
      throw DecodeException.malformed("ENR " + what + " must be a byte string");
    }
    return item.bytes();
  }

  private static String utf8(byte[] b) throws DecodeException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new DecodeException(DecodeException.Reason.MALFORMED, "ENR key is not UTF-8", e);
    }
  }

  static byte[] keccak256(byte[] data) {
    KeccakDigest d = new KeccakDigest(256);
    d.update(data, 0, data.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  // ---- accessors --------------------------------------------------------------------------

  /** The record's RLP encoding (a copy). */
  public byte[] toRlp() {
    return rlp.clone();
  }

  /** The text form {@code enr:<base64url without padding>}. */
  public String toText() {
    return PREFIX + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(rlp);
  }

  /** The sequence number (unsigned 64-bit; use {@link Long#toUnsignedString} to print). */
  public long seq() {
    return seq;
  }

  /** The 64-byte signature r||s (a copy). */
  public byte[] signature() {
    return signature.clone();
  }

  /** The keys in record order. */
  public List<String> keys() {
    return List.copyOf(pairs.keySet());
  }

  /** The byte-string value of {@code key}; empty if absent or a list. */
  public Optional<byte[]> get(String key) {
    Rlp.Item item = pairs.get(key);
    return item == null || item.isList() ? Optional.empty() : Optional.of(item.bytes());
  }

  /** The raw RLP item of {@code key} (lists included). */
  public Optional<Rlp.Item> getItem(String key) {
    return Optional.ofNullable(pairs.get(key));
  }

  /** The {@code id} value, e.g. "v4". */
  public Optional<String> identityScheme() {
    return get("id").map(b -> new String(b, StandardCharsets.UTF_8));
  }

  /** The 33-byte compressed {@code secp256k1} value, when present with that length. */
  public Optional<byte[]> publicKey() {
    return get("secp256k1").filter(b -> b.length == 33);
  }

  /** The {@code secp256k1} key, when present and a valid curve point. */
  public Optional<Secp256k1PublicKey> secp256k1Key() {
    Optional<Secp256k1PublicKey> k = key;
    if (k == null) {
      k = decodeKey();
      key = k;
    }
    return k;
  }

  private Optional<Secp256k1PublicKey> decodeKey() {
    Optional<byte[]> raw = publicKey();
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Secp256k1PublicKey.fromBytes(raw.get()));
    } catch (DecodeException e) {
      return Optional.empty();
    }
  }

  /** keccak256 of the uncompressed public key x||y (the discv5 node id). */
  public Optional<byte[]> nodeId() {
    return secp256k1Key().map(k -> {
      byte[] u = k.uncompressed();
      return keccak256(Arrays.copyOfRange(u, 1, 65));
    });
  }

  /** The libp2p PeerId of the secp256k1 key. */
  public Optional<PeerId> peerId() {
    return secp256k1Key().map(PeerId::fromPublicKey);
  }

  /** The {@code ip} address, when exactly 4 bytes. */
  public Optional<Inet4Address> ip4() {
    Optional<byte[]> ip = get("ip").filter(b -> b.length == 4);
    if (ip.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of((Inet4Address) InetAddress.getByAddress(ip.get()));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** The {@code tcp} port. */
  public OptionalInt tcpPort() {
    return port("tcp");
  }

  /** The {@code udp} port. */
  public OptionalInt udpPort() {
    return port("udp");
  }

  /** The {@code quic} port. */
  public OptionalInt quicPort() {
    return port("quic");
  }

  /** A port: 1-2 bytes big-endian, minimal, non-zero; otherwise empty. */
  private OptionalInt port(String key) {
    Optional<byte[]> v = get(key);
    if (v.isEmpty() || v.get().length == 0 || v.get().length > 2 || v.get()[0] == 0) {
      return OptionalInt.empty();
    }
    byte[] b = v.get();
    int p = b.length == 1 ? b[0] & 0xff : ((b[0] & 0xff) << 8) | (b[1] & 0xff);
    return OptionalInt.of(p);
  }

  /** The {@code eth2} ENRForkID (exactly 16 bytes). */
  public Optional<Eth2Data> eth2() {
    return get("eth2").filter(b -> b.length == 16).map(b -> {
      long epoch = 0;
      for (int i = 15; i >= 8; i--) {
        epoch = (epoch << 8) | (b[i] & 0xff);
      }
      return new Eth2Data(Arrays.copyOfRange(b, 0, 4), Arrays.copyOfRange(b, 4, 8), epoch);
    });
  }

  /** The {@code attnets} SSZ Bitvector[64] (8 bytes, LSB-first) as the set of subnet ids. */
  public Optional<BitSet> attnets() {
    return get("attnets").filter(b -> b.length == 8).map(BitSet::valueOf);
  }

  /** Whether {@code is_aggregator} is the single byte {@code 0x01}. */
  public boolean isAggregator() {
    return get("is_aggregator").filter(b -> b.length == 1 && b[0] == 1).isPresent();
  }

  /**
   * Structural validity (as leanSpec's {@code is_valid}, plus the key must be a curve point):
   * scheme "v4" and a valid 33-byte secp256k1 key. Does not check the signature.
   */
  public boolean isValid() {
    return identityScheme().filter("v4"::equals).isPresent() && secp256k1Key().isPresent();
  }

  /** Whether the "v4" signature over keccak256(rlp([seq, k, v, ...])) verifies. */
  public boolean signatureValid() {
    if (!identityScheme().filter("v4"::equals).isPresent()) {
      return false;
    }
    Optional<Secp256k1PublicKey> key = secp256k1Key();
    if (key.isEmpty()) {
      return false;
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
    return key.get().verifyHash(keccak256(content), r, s);
  }

  /**
   * {@code /ip4/<ip>/udp/<quic or udp port>/quic-v1}, as leanSpec's {@code ENR.multiaddr()} (no
   * {@code /p2p/}).
   */
  public Optional<Multiaddr> multiaddr() {
    Optional<Inet4Address> ip = ip4();
    OptionalInt port = quicPort().isPresent() ? quicPort() : udpPort();
    if (ip.isEmpty() || port.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Multiaddr.quic(new InetSocketAddress(ip.get(), port.getAsInt())));
  }

  /** {@link #multiaddr()} with {@code /p2p/<PeerId of the secp256k1 key>}: dialable. */
  public Optional<Multiaddr> dialMultiaddr() {
    Optional<PeerId> id = peerId();
    return id.isEmpty() ? Optional.empty() : multiaddr().map(m -> m.withP2p(id.get().toBytes()));
  }

  /** {@code /ip4/<ip>/tcp/<tcp>/p2p/<PeerId>} when the record has {@code ip} and {@code tcp}. */
  public Optional<Multiaddr> tcpDialMultiaddr() {
    Optional<Inet4Address> ip = ip4();
    OptionalInt port = tcpPort();
    Optional<PeerId> id = peerId();
    if (ip.isEmpty() || port.isEmpty() || id.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        Multiaddr.tcp(new InetSocketAddress(ip.get(), port.getAsInt())).withP2p(id.get().toBytes()));
  }

  /** Every dialable address: QUIC first, then TCP. */
  public List<Multiaddr> dialMultiaddrs() {
    List<Multiaddr> out = new ArrayList<>(2);
    dialMultiaddr().ifPresent(out::add);
    tcpDialMultiaddr().ifPresent(out::add);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Enr e && Arrays.equals(e.rlp, rlp);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(rlp);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Enr[seq=").append(Long.toUnsignedString(seq));
    ip4().ifPresent(ip -> sb.append(", ip=").append(ip.getHostAddress()));
    udpPort().ifPresent(p -> sb.append(", udp=").append(p));
    quicPort().ifPresent(p -> sb.append(", quic=").append(p));
    tcpPort().ifPresent(p -> sb.append(", tcp=").append(p));
    peerId().ifPresent(p -> sb.append(", peer=").append(p));
    return sb.append(']').toString();
  }
}
