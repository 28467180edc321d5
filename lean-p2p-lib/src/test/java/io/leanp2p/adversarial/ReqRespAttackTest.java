package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.sszsnappy.ResponseChunk;
import io.leanp2p.codec.sszsnappy.ResponseCode;
import io.leanp2p.codec.sszsnappy.ResponseDecoder;
import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.multiformats.Varint;
import io.leanp2p.protocol.reqresp.LeanProtocol;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.TransportKind;
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
