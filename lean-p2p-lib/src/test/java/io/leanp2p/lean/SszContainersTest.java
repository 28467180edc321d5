package io.leanp2p.lean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.DecodeException.Reason;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SszContainersTest {

  private static byte[] filled(int v) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) v);
    return b;
  }

  @Test
  void statusMatchesSpecExample() throws DecodeException {
    Status s = new Status(new Checkpoint(filled(1), 100), new Checkpoint(filled(2), 150));
    String hex = "01".repeat(32) + "6400000000000000" + "02".repeat(32) + "9600000000000000";
    assertThat(Hex.encode(s.encode())).isEqualTo(hex);
    assertThat(Status.decode(Hex.decode(hex))).isEqualTo(s);
  }

  @Test
  void fixedSizeContainersRejectWrongLengths() {
    assertReason(() -> Status.decode(new byte[79]), Reason.TRUNCATED);
    assertReason(() -> Status.decode(new byte[81]), Reason.TRAILING_BYTES);
    assertReason(() -> Checkpoint.decode(new byte[39]), Reason.TRUNCATED);
    assertReason(() -> BlocksByRangeRequest.decode(new byte[15]), Reason.TRUNCATED);
    assertReason(() -> BlocksByRangeRequest.decode(new byte[17]), Reason.TRAILING_BYTES);
    assertReason(() -> AttestationData.decode(new byte[129]), Reason.TRAILING_BYTES);
  }

  @Test
  void blocksByRangeRoundTrips() throws DecodeException {
    BlocksByRangeRequest r = new BlocksByRangeRequest(5, 64);
    assertThat(Hex.encode(r.encode())).isEqualTo("05000000000000004000000000000000");
    assertThat(BlocksByRangeRequest.decode(r.encode())).isEqualTo(r);
    BlocksByRangeRequest max = new BlocksByRangeRequest(-1L, -1L);
    assertThat(BlocksByRangeRequest.decode(max.encode())).isEqualTo(max);
  }

  @Test
  void blocksByRootRequestRejections() throws DecodeException {
    assertThat(BlocksByRootRequest.decode(Hex.decode("04000000")).roots()).isEmpty();
    assertReason(() -> BlocksByRootRequest.decode(new byte[0]), Reason.TRUNCATED);
    assertReason(() -> BlocksByRootRequest.decode(Hex.decode("040000")), Reason.TRUNCATED);
    assertReason(() -> BlocksByRootRequest.decode(Hex.decode("08000000" + "00".repeat(32))), Reason.MALFORMED);
    assertReason(() -> BlocksByRootRequest.decode(Hex.decode("04000000" + "00".repeat(31))), Reason.MALFORMED);
    byte[] max = new BlocksByRootRequest(Collections.nCopies(1024, filled(7))).encode();
    assertThat(BlocksByRootRequest.decode(max).roots()).hasSize(1024);
    byte[] over = Arrays.copyOf(max, max.length + 32);
    assertReason(() -> BlocksByRootRequest.decode(over), Reason.TOO_LARGE);
    assertThatThrownBy(() -> new BlocksByRootRequest(Collections.nCopies(1025, filled(7))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void signedBlocksBuildAndParse() throws DecodeException {
    byte[] ssz = SignedBlocks.build(9, 3, filled(0xaa), filled(0xbb), new byte[0]);
    assertThat(ssz).hasSize(100).hasSize(SignedBlocks.encodedSize(0)); // the minimal SignedBlock
    SignedBlockView v = SignedBlockView.parse(ssz);
    assertThat(v.slot()).isEqualTo(9);
    assertThat(v.proposerIndex()).isEqualTo(3);
    assertThat(v.parentRoot()).isEqualTo(filled(0xaa));
    assertThat(v.stateRoot()).isEqualTo(filled(0xbb));
    Block b = new Block(9, 3, filled(0xaa), filled(0xbb), BlockBody.empty());
    assertThat(v.blockRoot()).isEqualTo(b.hashTreeRoot());
    // a chain: the child's parent root is the parent's block root
    byte[] child = SignedBlocks.build(10, 4, v.blockRoot(), filled(0xcc), Hex.decode("deadbeef"));
    assertThat(SignedBlockView.parse(child).parentRoot()).isEqualTo(v.blockRoot());
    assertThat(child).hasSize(104).hasSize(SignedBlocks.encodedSize(4));
  }

  @Test
  void signedBlockRejections() {
    byte[] ok = SignedBlocks.build(1, 0, filled(0), filled(0), Hex.decode("01"));
    assertReason(() -> SignedBlock.decode(Arrays.copyOf(ok, 7)), Reason.TRUNCATED);
    for (int cut = 0; cut < SignedBlocks.encodedSize(0); cut++) {
      byte[] t = Arrays.copyOf(ok, cut);
      assertThatThrownBy(() -> SignedBlockView.parse(t)).as("cut at " + cut).isInstanceOf(DecodeException.class);
    }
    byte[] badFirst = ok.clone();
    badFirst[0] = 9;
    assertReason(() -> SignedBlock.decode(badFirst), Reason.MALFORMED);
    byte[] badProofOffset = ok.clone();
    badProofOffset[4] = (byte) 0xff;
    assertReason(() -> SignedBlock.decode(badProofOffset), Reason.MALFORMED);
    byte[] badInner = ok.clone();
    badInner[ok.length - 5] = 5; // MultiMessageAggregate offset must be 4
    assertReason(() -> SignedBlock.decode(badInner), Reason.MALFORMED);
    byte[] badBody = ok.clone();
    badBody[8 + 80] = 0x55; // Block body offset must be 84
    assertReason(() -> SignedBlock.decode(badBody), Reason.MALFORMED);
    byte[] bigProof = SignedBlocks.build(1, 0, filled(0), filled(0), new byte[SignedBlock.MAX_PROOF]);
    byte[] tooBig = Arrays.copyOf(bigProof, bigProof.length + 1);
    assertReason(() -> SignedBlock.decode(tooBig), Reason.TOO_LARGE);
  }

  @Test
  void bitlistRules() throws DecodeException {
    assertThat(Bitlist.decode(Hex.decode("01"), 8)).isEmpty();
    assertThat(Bitlist.decode(Hex.decode("0d"), 8)).containsExactly(true, false, true);
    assertThat(Bitlist.encode(new boolean[] {true, false, true})).containsExactly(0x0d);
    assertThat(Bitlist.decode(Hex.decode("ff01"), 8)).hasSize(8);
    assertReason(() -> Bitlist.decode(new byte[0], 8), Reason.TRUNCATED);
    assertReason(() -> Bitlist.decode(Hex.decode("00"), 8), Reason.MALFORMED);
    assertReason(() -> Bitlist.decode(Hex.decode("0002"), 8), Reason.TOO_LARGE);
    assertReason(() -> Bitlist.decode(Hex.decode("000001"), 8), Reason.TOO_LARGE);
  }

  @Test
  void merkleizeMatchesZeroHashes() {
    assertThat(Merkle.merkleize(List.of(), 1)).isEqualTo(new byte[32]);
    assertThat(Merkle.merkleize(List.of(), 4)).isEqualTo(Merkle.zeroHash(2));
    assertThat(Merkle.merkleize(List.of(new byte[32], new byte[32]), 2)).isEqualTo(Merkle.zeroHash(1));
    assertThat(Merkle.merkleize(List.of(filled(1)), 1)).isEqualTo(filled(1));
    assertThat(Merkle.merkleize(List.of(filled(1), filled(2), filled(3)), 4)).isEqualTo(
        Merkle.hashPair(Merkle.hashPair(filled(1), filled(2)), Merkle.hashPair(filled(3), new byte[32])));
  }

  // -------------------------------------------------------------------- properties

  @Property
  void signedBlockRoundTrips(@ForAll("signedBlocks") SignedBlock sb) throws DecodeException {
    byte[] ssz = sb.encode();
    SignedBlock back = SignedBlock.decode(ssz);
    assertThat(back).isEqualTo(sb);
    assertThat(back.encode()).isEqualTo(ssz);
    assertThat(SignedBlockView.parse(ssz).blockRoot()).isEqualTo(sb.block().hashTreeRoot());
  }

  @Property
  void networkingContainersRoundTrip(@ForAll("roots") List<byte[]> roots, @ForAll long a,
      @ForAll long b) throws DecodeException {
    BlocksByRootRequest r = new BlocksByRootRequest(roots);
    assertThat(BlocksByRootRequest.decode(r.encode())).isEqualTo(r);
    Status s = new Status(new Checkpoint(roots.isEmpty() ? new byte[32] : roots.get(0), a),
        new Checkpoint(new byte[32], b));
    assertThat(Status.decode(s.encode())).isEqualTo(s);
    BlocksByRangeRequest range = new BlocksByRangeRequest(a, b);
    assertThat(BlocksByRangeRequest.decode(range.encode())).isEqualTo(range);
  }

  /** Garbage either fails with a DecodeException or decodes to a value that re-encodes to it. */
  @Property
  void garbageIsRejectedOrCanonical(@ForAll("garbage") byte[] g) {
    canonicalOrRejected(g, SignedBlock::decode, SignedBlock::encode);
    canonicalOrRejected(g, BlockBody::decode, BlockBody::encode);
    canonicalOrRejected(g, AggregatedAttestation::decode, AggregatedAttestation::encode);
    canonicalOrRejected(g, BlocksByRootRequest::decode, BlocksByRootRequest::encode);
    canonicalOrRejected(g, Status::decode, Status::encode);
  }

  @Property
  void mutatedBlocksAreRejectedOrCanonical(@ForAll("signedBlocks") SignedBlock sb,
      @ForAll("index") int pos, @ForAll byte value) {
    byte[] ssz = sb.encode();
    ssz[Math.floorMod(pos, ssz.length)] = value;
    canonicalOrRejected(ssz, SignedBlock::decode, SignedBlock::encode);
  }

  interface Dec<T> {
    T decode(byte[] b) throws DecodeException;
  }

  interface Enc<T> {
    byte[] encode(T t);
  }

  private static <T> void canonicalOrRejected(byte[] g, Dec<T> dec, Enc<T> enc) {
    try {
      T v = dec.decode(g);
      assertThat(enc.encode(v)).isEqualTo(g);
    } catch (DecodeException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<Integer> index() {
    return Arbitraries.integers().between(0, 100_000);
  }

  @Provide
  Arbitrary<List<byte[]>> roots() {
    return Arbitraries.bytes().array(byte[].class).ofSize(32).list().ofMaxSize(8);
  }

  @Provide
  Arbitrary<SignedBlock> signedBlocks() {
    Arbitrary<byte[]> root = Arbitraries.bytes().array(byte[].class).ofSize(32);
    Arbitrary<Checkpoint> cp = Combinators.combine(root, Arbitraries.longs()).as(Checkpoint::new);
    Arbitrary<AttestationData> data = Combinators.combine(Arbitraries.longs(), cp, cp, cp)
        .as(AttestationData::new);
    Arbitrary<byte[]> bits = Arbitraries.of(true, false).list().ofMaxSize(40).map(l -> {
      boolean[] b = new boolean[l.size()];
      for (int i = 0; i < b.length; i++) {
        b[i] = l.get(i);
      }
      return Bitlist.encode(b);
    });
    Arbitrary<AggregatedAttestation> att = Combinators.combine(bits, data)
        .as(AggregatedAttestation::new);
    Arbitrary<Block> block = Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), root,
        root, att.list().ofMaxSize(2).map(BlockBody::new)).as(Block::new);
    return Combinators.combine(block, Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
        .as(SignedBlock::new);
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    Arbitrary<byte[]> offsetLike = Arbitraries.integers().between(0, 300).list().ofMaxSize(6)
        .map(l -> {
          byte[] b = new byte[4 * l.size() + 140];
          for (int i = 0; i < l.size(); i++) {
            Ssz.putU32(b, 4 * i, l.get(i));
          }
          return b;
        });
    return Arbitraries.oneOf(random, offsetLike);
  }

  private static void assertReason(org.assertj.core.api.ThrowableAssert.ThrowingCallable c,
      Reason reason) {
    assertThatThrownBy(c).isInstanceOfSatisfying(DecodeException.class,
        e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
  }

}
