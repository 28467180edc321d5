package io.leanp2p.protocol.identify;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.PrivateKey;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.multiformats.Varint;
import io.leanp2p.testing.MemoryStreams;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.DecodeException;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentifyTest {
  final VirtualScheduler sched = new VirtualScheduler();
  final SecureRandom rnd = new SecureRandom();

  record Setup(MemoryStreams.ConnectionPair conns, ProtocolRegistry listenerRegistry, PrivateKey listenerKey) {}

  Setup setup(MemoryStreams.Options opts, PeerId claimedListener) throws Exception {
    PrivateKey dk = Secp256k1PrivateKey.generate(rnd);
    PrivateKey lk = Secp256k1PrivateKey.generate(rnd);
    Multiaddr da = Multiaddr.parse("/ip4/127.0.0.1/tcp/1111");
    Multiaddr la = Multiaddr.parse("/ip4/127.0.0.1/tcp/2222");
    PeerId lid = claimedListener != null ? claimedListener : PeerId.fromPublicKey(lk.publicKey());
    var conns =
        MemoryStreams.connections(
            sched, null, PeerId.fromPublicKey(dk.publicKey()), lid, da, la.withP2p(lid.toBytes()), opts);
    ProtocolRegistry reg = new ProtocolRegistry();
    conns.listener().inboundStreamHandler(s -> StreamNegotiator.listen(s, reg, sched, 1000));
    return new Setup(conns, reg, lk);
  }

  @Test
  void identifyUnderRandomFragmentation() throws Exception {
    for (long seed = 0; seed < 20; seed++) {
      Setup st = setup(MemoryStreams.Options.defaults().randomPieces(seed, 7), null);
      Multiaddr listen = Multiaddr.parse("/ip4/10.0.0.1/tcp/9000");
      Identify responder = new Identify(st.listenerKey(), () -> List.of(listen), st.listenerRegistry(), sched, 1000);
      responder.register();
      st.listenerRegistry().register("/meshsub/1.2.0", (s, l) -> l.release());
      Identify asker = new Identify(Secp256k1PrivateKey.generate(rnd), List::of, new ProtocolRegistry(), sched, 1000);
      Future<IdentifyInfo> f = asker.identify(st.conns().dialer());
      sched.advanceMillis(100);
      assertThat(f.isSuccess()).as("seed " + seed + " " + f.cause()).isTrue();
      IdentifyInfo info = f.getNow();
      assertThat(info.publicKey()).isEqualTo(st.listenerKey().publicKey());
      assertThat(info.protocols()).containsExactly(Identify.PROTOCOL, "/meshsub/1.2.0");
      assertThat(info.listenAddrs()).containsExactly(Multiaddr.parse("/ip4/10.0.0.1/tcp/9000"));
      assertThat(info.observedAddr()).isEqualTo(Multiaddr.parse("/ip4/127.0.0.1/tcp/1111"));
      assertThat(info.agentVersion()).startsWith("lean-p2p/");
    }
  }

  @Test
  void keyThatDoesNotMatchTheConnectionFails() throws Exception {
    PeerId someoneElse = PeerId.fromPublicKey(Secp256k1PrivateKey.generate(rnd).publicKey());
    Setup st = setup(MemoryStreams.Options.defaults(), someoneElse);
    new Identify(st.listenerKey(), List::of, st.listenerRegistry(), sched, 1000).register();
    Future<IdentifyInfo> f =
        new Identify(Secp256k1PrivateKey.generate(rnd), List::of, new ProtocolRegistry(), sched, 1000)
            .identify(st.conns().dialer());
    sched.advanceMillis(100);
    assertThat(f.isSuccess()).isFalse();
    assertThat(f.cause()).hasMessageContaining("does not match");
  }

  @Test
  void oversizedMessageIsRejectedBeforeBuffering() throws Exception {
    Setup st = setup(MemoryStreams.Options.defaults(), null);
    // a hostile responder announcing 1 MiB and sending a little
    st.listenerRegistry()
        .register(
            Identify.PROTOCOL,
            (s, l) -> {
              l.release();
              s.handler(
                  new StreamHandler() {
                    @Override
                    public void onData(MuxedStream st2, ByteBuf d) {
                      d.release();
                    }
                  });
              ByteBuf b = s.alloc().buffer();
              Varint.write(1 << 20, b);
              b.writeZero(100);
              s.write(b);
            });
    Future<IdentifyInfo> f =
        new Identify(Secp256k1PrivateKey.generate(rnd), List::of, new ProtocolRegistry(), sched, 1000)
            .identify(st.conns().dialer());
    sched.advanceMillis(100);
    assertThat(f.cause()).isInstanceOfSatisfying(
        DecodeException.class, e -> assertThat(e.reason()).isEqualTo(DecodeException.Reason.TOO_LARGE));
  }

  @Test
  void silentResponderTimesOut() throws Exception {
    Setup st = setup(MemoryStreams.Options.defaults(), null);
    st.listenerRegistry().register(Identify.PROTOCOL, (s, l) -> {
      l.release();
      s.handler((st2, d) -> d.release());
    });
    Future<IdentifyInfo> f =
        new Identify(Secp256k1PrivateKey.generate(rnd), List::of, new ProtocolRegistry(), sched, 500)
            .identify(st.conns().dialer());
    sched.advanceMillis(499);
    assertThat(f.isDone()).isFalse();
    sched.advanceMillis(1);
    assertThat(f.cause()).isInstanceOf(java.util.concurrent.TimeoutException.class);
  }
}
