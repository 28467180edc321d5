package io.leanp2p.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.gossip.ControlMessage;
import io.leanp2p.codec.gossip.Message;
import io.leanp2p.codec.gossip.Rpc;
import io.leanp2p.codec.gossip.SubOpts;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.config.GossipConfig;
import io.leanp2p.protocol.gossipsub.GossipOutput;
import io.leanp2p.protocol.gossipsub.GossipRouter;
import io.leanp2p.protocol.gossipsub.GossipRouterTestAccess;
import io.leanp2p.protocol.gossipsub.GossipMessage;
import io.leanp2p.types.Validation;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.testing.VirtualScheduler;
import io.leanp2p.types.Direction;
import io.leanp2p.util.Hex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The 14 leanSpec {@code gossipsub_handler} fixtures against {@link GossipRouter}: state is seeded,
 * the event is fed as one inbound RPC, delivered messages are auto-ACCEPTed (our router forwards
 * only after validation; leanSpec's forwards before), and the sent RPCs and meshes must match.
 */
class GossipHandlerConformanceTest {
  private static final String DIR = "networking/gossipsub_handler/lstar/networking";

  private record Sent(PeerId to, Rpc rpc) {}

  @TestFactory
  Stream<DynamicTest> handlers() {
    List<Fixtures.Case> cases = Fixtures.cases(DIR);
    assertThat(cases).hasSize(14);
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c.body())));
  }

  @SuppressWarnings("unchecked")
  private static void run(Map<String, Object> body) {
    Map<String, Object> params = Fixtures.get(body, "params");
    GossipConfig cfg = GossipConfig.DEFAULT.withDegrees(
        num(params.get("d")), num(params.get("dLow")), num(params.get("dHigh")), num(params.get("dLazy")));
    VirtualScheduler sched = new VirtualScheduler();
    double nowSeconds = ((Number) body.get("now")).doubleValue();
    sched.advance((long) (nowSeconds * 1e9));
    List<Sent> sent = new ArrayList<>();
    List<GossipMessage> delivered = new ArrayList<>();
    GossipRouter router = new GossipRouter(cfg, sched, new Random(1), new GossipOutput() {
      @Override
      public void send(PeerId to, Rpc rpc) {
        sent.add(new Sent(to, rpc));
      }

      @Override
      public void deliver(GossipMessage m) {
        delivered.add(m);
      }
    });

    Map<String, Object> init = Fixtures.get(body, "initialState");
    for (Object t : (List<Object>) init.get("subscriptions")) {
      router.subscribe((String) t);
    }
    Map<String, PeerId> byName = new HashMap<>();
    Map<PeerId, String> names = new HashMap<>();
    Map<String, Object> peers = (Map<String, Object>) init.get("peers");
    for (Map.Entry<String, Object> e : peers.entrySet()) {
      PeerId id = GossipRouterTestAccess.peer(e.getKey());
      byName.put(e.getKey(), id);
      names.put(id, e.getKey());
      Map<String, Object> p = (Map<String, Object>) e.getValue();
      router.addPeer(id, "/meshsub/1.2.0", Direction.INBOUND, null);
      List<SubOpts> subs = new ArrayList<>();
      for (Object t : (List<Object>) p.get("subscriptions")) {
        subs.add(new SubOpts(true, (String) t));
      }
      router.onRpc(id, Rpc.ofSubscriptions(subs));
      for (Map.Entry<String, Object> b : ((Map<String, Object>) p.get("backoff")).entrySet()) {
        long until = (long) (((Number) b.getValue()).doubleValue() * 1e9);
        GossipRouterTestAccess.seedBackoff(router, id, b.getKey(), until);
      }
      for (Object dw : (List<Object>) p.get("dontWantIds")) {
        GossipRouterTestAccess.seedDontWant(router, id, Hex.decode((String) dw));
      }
    }
    for (Map.Entry<String, Object> e : ((Map<String, Object>) init.get("meshes")).entrySet()) {
      for (Object n : (List<Object>) e.getValue()) {
        GossipRouterTestAccess.seedMesh(router, e.getKey(), byName.get((String) n));
      }
    }
    for (Object id : (List<Object>) init.get("seenMessageIds")) {
      GossipRouterTestAccess.seedSeen(router, Hex.decode((String) id));
    }
    for (Object o : (List<Object>) init.get("cachedMessages")) {
      Map<String, Object> m = (Map<String, Object>) o;
      GossipRouterTestAccess.seedCache(router, Hex.decode((String) m.get("messageId")),
          (String) m.get("topic"), Hex.decode((String) m.get("data")));
    }
    sent.clear();

    // the event, as one inbound RPC
    Map<String, Object> event = Fixtures.get(body, "event");
    PeerId from = byName.get((String) event.get("fromPeer"));
    List<Message> publish = new ArrayList<>();
    for (Object o : (List<Object>) event.get("publish")) {
      Map<String, Object> m = (Map<String, Object>) o;
      publish.add(Message.anonymous((String) m.get("topic"), Hex.decode((String) m.get("data"))));
    }
    ControlMessage control = GossipCodecConformanceTest.controlFromFixture(event);
    router.onRpc(from, new Rpc(List.of(), publish, control.isEmpty() ? null : control));
    for (GossipMessage m : delivered) {
      assertThat(m.from()).isEqualTo(from);
      router.reportValidation(m.messageId(), Validation.ACCEPT);
    }

    // sent RPCs, sorted by recipient name
    List<Map<String, Object>> expectedSent = Fixtures.get(body, "expected", "sentRpcs");
    List<Sent> actual = new ArrayList<>(sent);
    actual.sort(Comparator.comparing(s -> names.get(s.to())));
    assertThat(actual.stream().map(s -> names.get(s.to())).toList())
        .isEqualTo(expectedSent.stream().map(s -> (String) s.get("toPeer")).toList());
    for (int i = 0; i < actual.size(); i++) {
      Map<String, Object> exp = expectedSent.get(i);
      Rpc expectedRpc = GossipCodecConformanceTest.rpcFromFixture(exp);
      assertThat(actual.get(i).rpc()).as("RPC to " + exp.get("toPeer")).isEqualTo(expectedRpc);
    }

    // meshes
    Map<String, Object> meshAfter = Fixtures.get(body, "expected", "meshAfter");
    var snap = router.refreshSnapshot();
    assertThat(snap.mesh().keySet()).isEqualTo(meshAfter.keySet());
    for (Map.Entry<String, Object> e : meshAfter.entrySet()) {
      List<String> got = snap.mesh(e.getKey()).stream().map(names::get).sorted().toList();
      assertThat(got).as("mesh of " + e.getKey()).isEqualTo(e.getValue());
    }

    // PRUNE backoff bookkeeping (the fixtures describe it; meshAfter cannot show it)
    for (Object o : (List<Object>) event.get("prune")) {
      Map<String, Object> p = (Map<String, Object>) o;
      boolean armed = num(p.get("backoff")) > 0;
      assertThat(GossipRouterTestAccess.hasBackoff(router, from, (String) p.get("topicId"))).isEqualTo(armed);
    }
  }

  private static int num(Object o) {
    return Fixtures.int32(o);
  }
}
