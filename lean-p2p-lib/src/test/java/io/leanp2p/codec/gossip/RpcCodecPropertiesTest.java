package io.leanp2p.codec.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Hex;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import io.leanp2p.config.RpcLimits;

/** Round-trip and garbage properties of {@link RpcCodec} (jqwik, default 10,000 tries each). */
class RpcCodecPropertiesTest {

  @Property
  void roundTrip(@ForAll("rpcs") Rpc rpc) throws DecodeException {
    byte[] enc = RpcCodec.encode(rpc);
    assertThat(enc).hasSize(RpcCodec.encodedSize(rpc));
    Rpc dec = RpcCodec.decode(enc);
    assertThat(dec).isEqualTo(normalise(rpc));
    assertThat(RpcCodec.encode(dec)).isEqualTo(enc);
  }

  /**
   * The shared-payload frame (each message encoded once, large payloads referenced, not copied)
   * is byte for byte the plain frame, with payloads on both sides of {@link
   * RpcFrames#SHARE_PAYLOAD_BYTES}, also when a message's encoding was cached by an earlier send;
   * and an RPC read from that frame split over several buffers decodes the same.
   */
  @Property(tries = 2000)
  void sharedFramesAreTheSameBytesAndDecodeFromPieces(
      @ForAll("rpcs") Rpc rpc, @ForAll("payloadSizes") int size, @ForAll int seed) throws DecodeException {
    java.util.Random r = new java.util.Random(seed);
    List<Message> msgs = new java.util.ArrayList<>();
    for (Message m : rpc.publish()) {
      byte[] data = new byte[r.nextBoolean() ? size : m.dataSize()];
      r.nextBytes(data);
      msgs.add(Message.owning(m.fromRaw(), data, m.seqnoRaw(), m.topic(), m.signatureRaw(), m.keyRaw()));
    }
    Rpc big = new Rpc(rpc.subscriptions(), msgs, rpc.control());
    byte[] plain = RpcFrames.encode(big);
    assertThat(RpcFrames.encodeShared(big).toArray()).isEqualTo(plain);
    assertThat(RpcFrames.encodeShared(big).toArray()).isEqualTo(plain); // cached message parts
    int prefix = plain.length - RpcCodec.encodedSize(big);
    io.netty.buffer.CompositeByteBuf pieces = io.netty.buffer.Unpooled.compositeBuffer(Integer.MAX_VALUE);
    for (int off = prefix; off < plain.length; ) {
      int n = Math.min(plain.length - off, 1 + r.nextInt(700));
      pieces.addComponent(true, io.netty.buffer.Unpooled.wrappedBuffer(java.util.Arrays.copyOfRange(plain, off, off + n)));
      off += n;
    }
    try {
      assertThat(RpcCodec.decode(pieces, RpcLimits.DEFAULT)).isEqualTo(RpcCodec.decode(RpcCodec.encode(big)));
    } finally {
      pieces.release();
    }
  }

  @Provide
  Arbitrary<Integer> payloadSizes() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 40),
        Arbitraries.integers().between(RpcFrames.SHARE_PAYLOAD_BYTES - 3, RpcFrames.SHARE_PAYLOAD_BYTES + 3),
        Arbitraries.integers().between(2048, 20_000));
  }

  @Property
  void garbageIsDecodedOrRejectedWithDecodeExceptionOnly(@ForAll("garbage") byte[] in) {
    try {
      Rpc rpc = RpcCodec.decode(in);
      // whatever decodes must encode again, and that encoding must be a fixed point
      byte[] again = RpcCodec.encode(rpc);
      assertThat(RpcCodec.encode(RpcCodec.decode(again))).isEqualTo(again);
    } catch (DecodeException expected) {
      assertThat(expected.reason()).isNotNull();
    }
  }

  @Property
  void mutatedValidRpcsNeverThrowAnythingElse(@ForAll("rpcs") Rpc rpc, @ForAll int pos, @ForAll byte value) {
    byte[] enc = RpcCodec.encode(rpc);
    if (enc.length == 0) {
      return;
    }
    enc[Math.floorMod(pos, enc.length)] = value;
    try {
      RpcCodec.decode(enc);
    } catch (DecodeException expected) {
      assertThat(expected.reason()).isNotNull();
    }
  }

  @Property
  void everyTruncationIsRejectedOrAPrefixRpc(@ForAll("rpcs") Rpc rpc, @ForAll int cut) {
    byte[] enc = RpcCodec.encode(rpc);
    if (enc.length == 0) {
      return;
    }
    int n = Math.floorMod(cut, enc.length);
    byte[] prefix = java.util.Arrays.copyOf(enc, n);
    try {
      Rpc dec = RpcCodec.decode(prefix);
      assertThat(dec.subscriptions().size() + dec.publish().size()).isLessThanOrEqualTo(
          rpc.subscriptions().size() + rpc.publish().size());
    } catch (DecodeException expected) {
      assertThat(expected.reason()).isNotNull();
    }
  }

  @Test
  void wireTypeRules() throws DecodeException {
    // unknown fields of wire types 0, 1, 2, 5 are skipped
    assertThat(RpcCodec.decode(Hex.decode("2001"))).isEqualTo(Rpc.EMPTY);
    assertThat(RpcCodec.decode(Hex.decode("210102030405060708"))).isEqualTo(Rpc.EMPTY);
    assertThat(RpcCodec.decode(Hex.decode("2202abcd"))).isEqualTo(Rpc.EMPTY);
    assertThat(RpcCodec.decode(Hex.decode("2501020304"))).isEqualTo(Rpc.EMPTY);
    // 3, 4, 6, 7 are rejected
    for (String bad : List.of("23", "24", "26", "27", "0e", "0f")) {
      assertThatThrownBy(() -> RpcCodec.decode(Hex.decode(bad))).as(bad).isInstanceOf(DecodeException.class);
    }
    // fixed-width fields that run past the end
    assertThatThrownBy(() -> RpcCodec.decode(Hex.decode("21010203"))).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> RpcCodec.decode(Hex.decode("2501"))).isInstanceOf(DecodeException.class);
    // a nested length that runs past its parent
    assertThatThrownBy(() -> RpcCodec.decode(Hex.decode("0a020a05"))).isInstanceOf(DecodeException.class);
    // invalid UTF-8 in a topic
    assertThatThrownBy(() -> RpcCodec.decode(Hex.decode("0a0608011202c328")))
        .isInstanceOf(DecodeException.class)
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.MALFORMED));
    // PX peers in PRUNE are decoded and skipped
    Rpc pr = RpcCodec.decode(Hex.decode("1a0b" + "2209" + "0a0174" + "12020a00" + "183c"));
    assertThat(pr.control().prune()).containsExactly(new ControlPrune("t", 60, 1));
  }

  @Test
  void repeatedFieldCountsAreCapped() {
    RpcLimits tight = new RpcLimits(1 << 20, 2, 2, 2, 3);
    byte[] threeSubs = RpcCodec.encode(Rpc.ofSubscriptions(List.of(
        new SubOpts(true, "a"), new SubOpts(true, "b"), new SubOpts(true, "c"))));
    assertThatThrownBy(() -> RpcCodec.decode(threeSubs, tight))
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TOO_LARGE));
    byte[] fourIds = RpcCodec.encode(Rpc.ofControl(new ControlMessage(List.of(), List.of(
        new ControlIWant(List.of(new byte[20], new byte[20], new byte[20], new byte[20]))), List.of(), List.of(), List.of())));
    assertThatThrownBy(() -> RpcCodec.decode(fourIds, tight))
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TOO_LARGE));
    byte[] big = new byte[100];
    assertThatThrownBy(() -> RpcCodec.decode(big, new RpcLimits(99, 1, 1, 1, 1)))
        .satisfies(e -> assertThat(((DecodeException) e).reason()).isEqualTo(DecodeException.Reason.TOO_LARGE));
  }

  /** What decoding yields for an RPC: an empty control part is indistinguishable from none. */
  private static Rpc normalise(Rpc rpc) {
    List<Message> msgs = rpc.publish().stream()
        .map(m -> new Message(emptyToNull(m.from()), m.data(), emptyToNull(m.seqno()), m.topic(),
            emptyToNull(m.signature()), emptyToNull(m.key())))
        .toList();
    ControlMessage c = rpc.control() == null || rpc.control().isEmpty() ? null : rpc.control();
    return new Rpc(rpc.subscriptions(), msgs, c);
  }

  private static byte[] emptyToNull(byte[] b) {
    return b == null || b.length == 0 ? null : b;
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
        // mostly-valid tag bytes make deeper paths reachable
        Arbitraries.of((byte) 0x0a, (byte) 0x12, (byte) 0x1a, (byte) 0x08, (byte) 0x22, (byte) 0x2a,
                (byte) 0x02, (byte) 0x00, (byte) 0x01, (byte) 0x18, (byte) 0x80, (byte) 0x14)
            .array(byte[].class).ofMaxSize(48));
  }

  @Provide
  Arbitrary<Rpc> rpcs() {
    Arbitrary<String> topics = Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('a', 'z').withChars('/', '_', 'é', '\u4e2d').ofMaxLength(12),
        Arbitraries.of("/leanconsensus/12345678/block/ssz_snappy", ""));
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(24);
    Arbitrary<byte[]> optBytes = bytes.injectNull(0.6);
    Arbitrary<byte[]> ids = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(20);
    Arbitrary<SubOpts> subs = Combinators.combine(Arbitraries.of(true, false), topics).as(SubOpts::new);
    Arbitrary<Message> msgs = Combinators.combine(optBytes, bytes, optBytes, topics, optBytes, optBytes)
        .as(Message::new);
    Arbitrary<List<byte[]>> idList = ids.list().ofMaxSize(3);
    Arbitrary<ControlMessage> control = Combinators.combine(
            Combinators.combine(topics, idList).as(ControlIHave::new).list().ofMaxSize(2),
            idList.map(ControlIWant::new).list().ofMaxSize(2),
            topics.map(ControlGraft::new).list().ofMaxSize(2),
            Combinators.combine(topics, Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as(ControlPrune::new).list().ofMaxSize(2),
            idList.map(ControlIDontWant::new).list().ofMaxSize(2))
        .as(ControlMessage::new);
    return Combinators.combine(subs.list().ofMaxSize(3), msgs.list().ofMaxSize(3), control.injectNull(0.4))
        .as(Rpc::new);
  }
}
