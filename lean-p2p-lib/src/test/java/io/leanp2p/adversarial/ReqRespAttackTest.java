package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.sszsnappy.ResponseChunk;
import io.leanp2p.lean.ResponseCode;
import io.leanp2p.codec.sszsnappy.ResponseDecoder;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.multiformats.Varint;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.types.TransportKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Req/resp abuse: absurd declared lengths, request floods, unfinished requests, slow readers. */
@Timeout(180)
class ReqRespAttackTest extends AttackSuite {
  @Override
  String victimName() {
    return "reqresp";
  }

  private static List<ResponseChunk> decode(byte[] wire) throws Exception {
    List<ResponseChunk> out = new ArrayList<>();
    ByteBuf b = Unpooled.wrappedBuffer(wire);
    try {
      new ResponseDecoder(SszSnappy.MAX_PAYLOAD).decode(b, out::add);
    } finally {
      b.release();
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void requestsDeclaringGigabytesAreRefusedSayingWhy(TransportKind kind) throws Exception {
    try (StreamAttacker a = StreamAttacker.over(kind, true).connect(victim, kind)) {
      record Case(LeanProtocol protocol, long declared) {}
      for (Case c : List.of(
          new Case(LeanProtocol.STATUS, 1L << 30),
          new Case(LeanProtocol.STATUS, 11L << 20),
          new Case(LeanProtocol.BLOCKS_BY_ROOT, 1L << 30),
          new Case(LeanProtocol.BLOCKS_BY_RANGE, 11L << 20))) {
        byte[] request = Varint.encode(c.declared());
        List<ResponseChunk> answer = decode(a.exchange(c.protocol().id(), request));
        assertThat(answer).hasSize(1);
        assertThat(answer.get(0).code()).isEqualTo(ResponseCode.INVALID_REQUEST);
        assertThat(answer.get(0).errorMessage())
            .isEqualTo("Request too large: declares " + c.declared() + " bytes, the limit is 10485760 bytes");
      }
      victim.assertServesHonestPeer(kind);
    }
  }

  /**
   * Malformed requests, one per stream: an over-long varint, a snappy stream without its
   * identifier, a chunk with a bad CRC, content longer and shorter than the declared length, a
   * declared length of 0 with content, and truncated frames. None may be answered with data: each
   * ends with one INVALID_REQUEST answer (or the stream closed without one), and the honest peer is
   * served after them.
   */
  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void malformedRequestsAreRefusedNeverAnswered(TransportKind kind) throws Exception {
    byte[] status = SszSnappy.encodeRequest(Victim.STATUS); // varint(80) + snappy frames
    int header = Varint.encode(80).length;
    byte[] noIdentifier = concat(Varint.encode(80), java.util.Arrays.copyOfRange(status, header + 10, status.length));
    byte[] badCrc = status.clone();
    badCrc[header + 10 + 4] ^= 0x55; // the first chunk's CRC (after the 10-byte stream identifier)
    byte[] tooLong = concat(Varint.encode(40), java.util.Arrays.copyOfRange(status, header, status.length));
    byte[] tooShort = concat(Varint.encode(120), java.util.Arrays.copyOfRange(status, header, status.length));
    byte[] zero = concat(Varint.encode(0), java.util.Arrays.copyOfRange(status, header, status.length));
    byte[] truncated = java.util.Arrays.copyOf(status, status.length - 3);
    byte[] overlongVarint = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
    byte[] garbage = concat(Varint.encode(80), Attack.bytes(200, 5));
    try (StreamAttacker a = StreamAttacker.over(kind, true).connect(victim, kind)) {
      for (byte[] request : List.of(noIdentifier, badCrc, tooLong, tooShort, zero, truncated, overlongVarint, garbage)) {
        byte[] wire;
        try {
          wire = a.exchange(LeanProtocol.STATUS.id(), request);
        } catch (IllegalStateException reset) {
          continue; // the victim reset the stream: no answer, which is fine
        }
        List<ResponseChunk> answer = decode(wire);
        assertThat(answer).as("answer to a malformed request").hasSizeLessThanOrEqualTo(1);
        if (!answer.isEmpty()) {
          assertThat(answer.get(0).code()).isEqualTo(ResponseCode.INVALID_REQUEST);
        }
      }
      io.leanp2p.crypto.PeerId attacker = a.node.id;
      assertThat(victim.events.all(io.leanp2p.node.NetworkEvent.InboundRequest.class, r -> r.peer().equals(attacker)))
          .as("malformed requests reaching the host").isEmpty();
      victim.assertServesHonestPeer(kind);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void requestFloodOnOneConnection() throws Exception {
    int n = Attack.size(200, 1000);
    try (StreamAttacker a = StreamAttacker.over(TransportKind.TCP, true).connect(victim, TransportKind.TCP)) {
      byte[] status = SszSnappy.encodeRequest(Victim.STATUS);
      List<MuxedStream> streams = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        try {
          MuxedStream s = a.open(LeanProtocol.STATUS.id());
          a.write(s, status, true);
          streams.add(s);
        } catch (IllegalStateException refused) {
          // the victim refuses streams beyond its limits: part of the defence
        }
      }
      assertThat(streams).isNotEmpty();
      victim.assertServesHonestPeers();
    }
  }

  @Test
  void unfinishedRequestsAndReadersThatNeverRead() throws Exception {
    int n = Attack.size(50, 300);
    try (StreamAttacker a = StreamAttacker.over(TransportKind.TCP, false).connect(victim, TransportKind.TCP)) {
      byte[] status = SszSnappy.encodeRequest(Victim.STATUS);
      byte[] range = new byte[16];
      range[8] = 32; // start 0, count 32
      byte[] rangeRequest = SszSnappy.encodeRequest(range);
      for (int i = 0; i < n; i++) {
        try {
          MuxedStream s = a.open(i % 2 == 0 ? LeanProtocol.STATUS.id() : LeanProtocol.BLOCKS_BY_RANGE.id());
          if (i % 2 == 0) {
            a.write(s, java.util.Arrays.copyOf(status, 10), false); // declares 80 bytes, sends a few
          } else {
            a.node.loop.execute(() -> s.setReadPaused(true)); // 2 MiB of blocks nobody reads
            a.write(s, rangeRequest, true);
          }
        } catch (IllegalStateException refused) {
          // refused beyond the victim's limits
        }
      }
      victim.assertServesHonestPeers();
    }
  }
}
