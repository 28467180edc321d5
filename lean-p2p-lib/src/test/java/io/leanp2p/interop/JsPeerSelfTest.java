package io.leanp2p.interop;

import static io.leanp2p.peerclient.PeerClient.cmd;
import static io.leanp2p.peerclient.PeerClient.dbl;
import static io.leanp2p.peerclient.PeerClient.event;
import static io.leanp2p.peerclient.PeerClient.list;
import static io.leanp2p.peerclient.PeerClient.num;
import static io.leanp2p.peerclient.PeerClient.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leanp2p.codec.gossip.MessageId;
import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.peerclient.PeerClient;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.testing.JsPeer;
import io.leanp2p.util.Hex;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the js interop peer ({@code interop/js/peer.mjs}) and its {@link PeerClient} driver by
 * running two js peers against each other, over TCP and over QUIC, before any Java transport
 * exists: connect, subscriptions, gossip with lean message-ids, ping, status req/resp, echo,
 * identify, hangup. Message-ids are recomputed here independently (leanspec-networking.md §3.6).
 */
class JsPeerSelfTest {
  private static final String TOPIC = "/leanconsensus/12345678/block/ssz_snappy";
  private static final String STATUS = "/leanconsensus/req/status/1/ssz_snappy";
  private static final String ECHO = "/leanp2p/test/echo/1.0.0";
  private static final Duration T = Duration.ofSeconds(15);

  @BeforeAll
  static void requireNode() {
    JsPeer.assumeAvailable();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "quic"})
  @Timeout(60)
  void twoJsPeersTalkOver(String transport) throws Exception {
    Random rnd = new Random(0x5eed + transport.hashCode());
    try (PeerClient a = JsPeer.start(JsPeer.Options.defaults().withTopics(TOPIC));
        PeerClient b = JsPeer.start(JsPeer.Options.defaults().withTopics(TOPIC))) {
      assertThat(a.peerId()).startsWith("16Uiu2");
      assertThat(a.keyHex()).matches("[0-9a-f]{64}");
      assertThat(b.addrs()).allMatch(x -> x.startsWith("/ip4/127.0.0.1/") && x.endsWith("/p2p/" + b.peerId()));
      String bAddr = transport.equals("tcp") ? b.tcpAddr() : b.quicAddr();
      String marker = transport.equals("tcp") ? "/tcp/" : "/quic-v1";

      // dial → dialed + connected on both sides
      Map<String, Object> dialed = a.request(cmd("dial", "addr", bAddr), "dialed", T);
      assertThat(str(dialed, "peer")).isEqualTo(b.peerId());
      Map<String, Object> aConn = a.awaitEvent(event("connected", "peer", b.peerId()), T);
      assertThat(str(aConn, "direction")).isEqualTo("outbound");
      assertThat(str(aConn, "addr")).contains(marker);
      Map<String, Object> bConn = b.awaitEvent(event("connected", "peer", a.peerId()), T);
      assertThat(str(bConn, "direction")).isEqualTo("inbound");
      assertThat(str(bConn, "addr")).contains(marker);

      // subscriptions and mesh
      a.awaitEvent(event("subscription", "peer", b.peerId(), "topic", TOPIC, "subscribed", true), T);
      b.awaitEvent(event("subscription", "peer", a.peerId(), "topic", TOPIC, "subscribed", true), T);
      a.awaitEvent(event("graft", "peer", b.peerId(), "topic", TOPIC), T);
      b.awaitEvent(event("graft", "peer", a.peerId(), "topic", TOPIC), T);

      // gossip: 1000 random bytes (INVALID-snappy domain), a valid raw-snappy payload (VALID
      // domain), a payload snappyjs would accept but a strict decoder rejects, and 300 KiB.
      byte[] random = new byte[1000];
      rnd.nextBytes(random);
      assertGossip(a, b, random, messageId(TOPIC, random, false));
      byte[] plain = new byte[100];
      rnd.nextBytes(plain);
      byte[] snappy = snappyLiteralThenCopy(plain);
      byte[] expanded = Arrays.copyOf(plain, 164);
      System.arraycopy(plain, 0, expanded, 100, 64);
      assertGossip(a, b, snappy, messageId(TOPIC, expanded, true));
      byte[] lenient = Hex.decode("00dead"); // declares 0 bytes, then trailing bytes
      assertGossip(b, a, lenient, messageId(TOPIC, lenient, false));
      Map<String, Object> big = a.request(cmd("publish", "topic", TOPIC, "size", 300 * 1024), "published", T);
      assertThat(num(big, "len")).isEqualTo(300 * 1024);
      assertThat(list(big, "recipients")).containsExactly(b.peerId());
      Map<String, Object> bigMsg = b.awaitEvent(event("message", "msgId", str(big, "msgId")), T);
      assertThat(str(bigMsg, "sha256")).isEqualTo(str(big, "sha256"));
      assertThat(num(bigMsg, "len")).isEqualTo(300 * 1024);
      assertThat(str(bigMsg, "from")).isEqualTo(a.peerId());
      assertThat(dbl(bigMsg, "ts")).isGreaterThan(dbl(big, "ts"));

      // the same bytes again are a duplicate: an error event echoing the id
      long dup = a.send(cmd("publish", "topic", TOPIC, "dataHex", Hex.encode(random)));
      Map<String, Object> dupErr = a.awaitEvent(PeerClient.replyTo(dup), T);
      assertThat(dupErr.get("event")).isEqualTo("error");
      assertThat(dupErr.get("cmd")).isEqualTo("publish");

      // ping by peer id and by multiaddr
      Map<String, Object> ping = a.request(cmd("ping", "peer", b.peerId()), "ping", T);
      assertThat(str(ping, "peer")).isEqualTo(b.peerId());
      assertThat(dbl(ping, "wallMs")).isPositive();
      assertThat(dbl(ping, "rttMs")).isGreaterThanOrEqualTo(0);
      Map<String, Object> ping2 = b.request(cmd("ping", "peer", a.peerId()), "ping", T);
      assertThat(str(ping2, "peer")).isEqualTo(a.peerId());

      // status: 84 B, 200 kB, empty, and one where the requester keeps its write side open
      byte[] s84 = new byte[84];
      rnd.nextBytes(s84);
      byte[] s200k = new byte[200_000];
      rnd.nextBytes(s200k);
      Arrays.fill(s200k, 100_000, 150_000, (byte) 7); // a compressible stretch
      for (byte[] payload : List.of(s84, s200k, new byte[0])) {
        assertStatus(a, b, payload, false);
      }
      assertStatus(a, b, s84, true);

      // echo: one 10 MiB stream, then 20 small streams in a row
      Map<String, Object> echo =
          a.request(cmd("echo", "peer", b.peerId(), "size", 10 * 1024 * 1024, "streams", 1), "echo", Duration.ofSeconds(40));
      assertThat(echo.get("ok")).as(echo.toString()).isEqualTo(true);
      assertThat(num(echo, "bytes")).isEqualTo(10L * 1024 * 1024);
      Map<String, Object> echo20 = a.request(cmd("echo", "peer", b.peerId(), "size", 1000, "streams", 20), "echo", T);
      assertThat(echo20.get("ok")).as(echo20.toString()).isEqualTo(true);
      assertThat(num(echo20, "streams")).isEqualTo(20);
      assertThat(num(echo20, "bytes")).isEqualTo(20_000);

      // identify
      Map<String, Object> id = a.request(cmd("identify", "peer", b.peerId()), "identify", T);
      assertThat(list(id, "protocols")).contains(STATUS, ECHO, "/meshsub/1.2.0", "/ipfs/ping/1.0.0", "/ipfs/id/1.0.0");
      assertThat(str(id, "agentVersion")).startsWith("lean-p2p-js-interop-peer");
      assertThat(list(id, "listenAddrs")).anyMatch(x -> bAddr.startsWith((String) x));
      assertThat(str(id, "observedAddr")).contains(marker);

      // info
      Map<String, Object> info = a.request(cmd("info"), "info", T);
      assertThat(str(info, "peerId")).isEqualTo(a.peerId());
      assertThat(list(info, "peers")).containsExactly(b.peerId());
      @SuppressWarnings("unchecked")
      Map<String, Object> topics = (Map<String, Object>) info.get("topics");
      assertThat(list(topics, TOPIC)).containsExactly(b.peerId());

      // hangup → disconnected on both sides
      Map<String, Object> hung = a.request(cmd("hangup", "peer", b.peerId()), "hungup", T);
      assertThat(str(hung, "peer")).isEqualTo(b.peerId());
      assertThat(str(b.awaitEvent(event("disconnected", "peer", a.peerId()), T), "addr")).contains(marker);
      a.awaitEvent(event("disconnected", "peer", b.peerId()), T);

      // redial in a tight loop (js by default refuses a 6th inbound connection/s from one host)
      for (int i = 0; i < 7; i++) {
        assertThat(str(a.request(cmd("dial", "addr", bAddr), "dialed", T), "peer")).isEqualTo(b.peerId());
        b.awaitEvent(event("connected", "peer", a.peerId()), T);
        a.request(cmd("hangup", "peer", b.peerId()), "hungup", T);
        b.awaitEvent(event("disconnected", "peer", a.peerId()), T);
      }

      assertThat(a.invalidLines()).isEmpty();
      assertThat(b.invalidLines()).isEmpty();
      assertThat(a.stop(Duration.ofSeconds(10))).isZero();
      assertThat(a.events()).anyMatch(event("stopped"));
    }
  }

  @Test
  @Timeout(40)
  void protocolErrorsKeysAndResponderModes() throws Exception {
    // the EIP-778 example key: its peer id is a leanSpec vector (leanspec-networking.md §2)
    String eipKey = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291";
    try (PeerClient a =
            JsPeer.start(
                JsPeer.Options.defaults()
                    .withQuicPort("off")
                    .withKeyHex(eipKey)
                    .withExtraArgs("peer", "--unknown-driver-flag"));
        PeerClient b = JsPeer.start(JsPeer.Options.defaults().withQuicPort("off").withStatusMode("silent"))) {
      assertThat(a.peerId()).isEqualTo("16Uiu2HAmSH2XVgZqYHWucap5kuPzLnt2TsNQkoppVxB5eJGvaXwm");
      assertThat(a.keyHex()).isEqualTo(eipKey);
      assertThat(a.addrs()).hasSize(1);
      assertThat(a.tcpAddr()).contains("/tcp/");

      // malformed lines and unknown commands: error events, never a crash
      a.sendRaw("this is not json");
      assertThat(a.awaitEvent(event("error"), T).get("error").toString()).contains("malformed");
      a.sendRaw("[1,2]");
      a.awaitEvent(event("error"), T);
      long unknown = a.send(cmd("fly"));
      Map<String, Object> err = a.awaitEvent(PeerClient.replyTo(unknown), T);
      assertThat(err.get("event")).isEqualTo("error");
      assertThat(err.get("cmd")).isEqualTo("fly");
      long bad = a.send(cmd("publish", "topic", "t", "dataHex", "zz"));
      assertThat(a.awaitEvent(PeerClient.replyTo(bad), T).get("event")).isEqualTo("error");
      // publishing with no peers is not an error
      Map<String, Object> lonely = a.request(cmd("publish", "topic", "t", "dataHex", "0a0b"), "published", T);
      assertThat(list(lonely, "recipients")).isEmpty();
      assertThat(str(lonely, "msgId")).isEqualTo(Hex.encode(messageId("t", Hex.decode("0a0b"), false)));
      assertThat(a.request(cmd("subscribe", "topic", "t2"), "subscribed", T).get("topic")).isEqualTo("t2");
      assertThat(a.request(cmd("unsubscribe", "topic", "t2"), "unsubscribed", T).get("topic")).isEqualTo("t2");

      // a silent responder: the request is served (event) but never answered
      a.request(cmd("dial", "addr", b.tcpAddr()), "dialed", T);
      long st = a.send(cmd("status", "peer", b.peerId(), "dataHex", "01020304", "timeoutMs", 1000));
      Map<String, Object> timedOut = a.awaitEvent(PeerClient.replyTo(st), T);
      assertThat(timedOut.get("event")).isEqualTo("error");
      b.awaitEvent(event("status-request", "peer", a.peerId(), "len", 4), T);

      // extra-chunk: this requester still yields the first chunk; back to echo afterwards
      b.request(cmd("set-status-mode", "mode", "extra-chunk"), "status-mode", T);
      Map<String, Object> r = a.request(cmd("status", "peer", b.tcpAddr(), "dataHex", "cafe"), "status-response", T);
      assertThat(num(r, "result")).isZero();
      assertThat(str(r, "dataHex")).isEqualTo("cafe");
      b.request(cmd("set-status-mode", "mode", "echo"), "status-mode", T);
      long badMode = b.send(cmd("set-status-mode", "mode", "loud"));
      assertThat(b.awaitEvent(PeerClient.replyTo(badMode), T).get("event")).isEqualTo("error");
      assertThat(str(a.request(cmd("status", "peer", b.peerId(), "dataHex", "beef"), "status-response", T), "dataHex"))
          .isEqualTo("beef");

      assertThat(a.invalidLines()).isEmpty();
      assertThat(b.invalidLines()).isEmpty();
      long stopId = a.send(cmd("stop"));
      a.awaitEvent(PeerClient.replyTo(stopId).and(event("stopped")), T);
    }
  }

  /** The harness fails fast and informatively: bad start options, timeouts, a dead peer. */
  @Test
  @Timeout(40)
  void harnessFailuresCarryDiagnostics() {
    assertThatThrownBy(() -> JsPeer.start(JsPeer.Options.defaults().withStatusMode("bogus")))
        .isInstanceOf(PeerClient.Failure.class)
        .hasMessageContaining("exited before the awaited event")
        .hasMessageContaining("--status-mode must be");
    try (PeerClient a = JsPeer.start(JsPeer.Options.defaults().withTcpPort("off").withQuicPort("off"))) {
      assertThat(a.addrs()).isEmpty();
      assertThatThrownBy(() -> a.awaitEvent(event("never"), Duration.ofMillis(300)))
          .isInstanceOf(PeerClient.Failure.class)
          .hasMessageContaining("timed out")
          .hasMessageContaining("last events:")
          .hasMessageContaining("\"event\":\"listening\"")
          .hasMessageContaining("stderr tail");
      assertThatThrownBy(() -> a.request(cmd("ping", "peer", "not-a-peer-id"), "ping", T))
          .isInstanceOf(PeerClient.Failure.class)
          .hasMessageContaining("answered");
      assertThat(a.stop(Duration.ofSeconds(10))).isZero();
      assertThat(a.isAlive()).isFalse();
      assertThatThrownBy(() -> a.awaitEvent(event("never"), T))
          .hasMessageContaining("exited before the awaited event");
    }
  }

  /**
   * The js peer's own codecs (strict snappy, message-id, CRC32C, framing, incremental req/resp
   * decoding) against built-in leanSpec vectors and, when present, every applicable leanSpec
   * fixture case.
   */
  @Test
  @Timeout(60)
  void jsCodecsMatchLeanSpecVectors() throws Exception {
    List<String> command = new ArrayList<>(List.of(JsPeer.nodeBinary(), "codec-check.mjs"));
    Optional<Path> fixtures = Fixtures.rootIfPresent();
    fixtures.ifPresent(f -> command.add(f.toString()));
    Process p =
        new ProcessBuilder(command).directory(JsPeer.peerDir().toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(50, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("codec-check: all vectors OK");
    if (fixtures.isPresent()) {
      assertThat(out).containsPattern("fixtures: \\d+ cases OK");
    }
  }

  /**
   * Differential test: the js peer's message-id (its own strict snappy decoder) and the Java
   * {@link MessageId} agree on valid, truncated, extended, bit-flipped and hand-made snappy
   * payloads, so both sides of an interop test derive the same ids.
   */
  @Test
  @Timeout(60)
  void jsMessageIdAgreesWithJavaMessageId() throws Exception {
    long seed = System.nanoTime();
    System.out.println("jsMessageIdAgreesWithJavaMessageId seed=" + seed);
    Random rnd = new Random(seed);
    String[] topics = {TOPIC, "", "t", "/leanconsensus/12345678/attestation_0/ssz_snappy", "t\u00f3pico-\u2603"};
    List<String> lineTopics = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    List<byte[]> handMade =
        List.of(
            Hex.decode(""), Hex.decode("00"), Hex.decode("00dead"), Hex.decode("0100aa"),
            Hex.decode("0500aa"), Hex.decode("0105aa"), Hex.decode("02000a0100"), // copy offset 0
            Hex.decode("0500aa0902"), // copy offset beyond output
            Hex.decode("808080808001"), // 6-byte length varint
            Hex.decode("ffffffff0f00aa"), Hex.decode("ffffffff1f"), Hex.decode("f0"),
            Hex.decode("0afcaa"), // literal length past the input
            Hex.decode("81808005"));
    for (byte[] h : handMade) {
      payloads.add(h);
    }
    for (int i = 0; i < 1500; i++) {
      byte[] plain = new byte[rnd.nextInt(i % 50 == 0 ? 70_000 : 600)]; // some span 2 frames' worth
      int shape = rnd.nextInt(3);
      if (shape == 0) {
        rnd.nextBytes(plain);
      } else {
        byte[] motif = new byte[1 + rnd.nextInt(shape == 1 ? 4 : 40)];
        rnd.nextBytes(motif);
        for (int j = 0; j < plain.length; j++) {
          plain[j] = rnd.nextInt(20) == 0 ? (byte) rnd.nextInt() : motif[j % motif.length];
        }
      }
      byte[] c = SnappyBlock.compress(plain);
      switch (rnd.nextInt(6)) {
        case 0 -> payloads.add(c);
        case 1 -> payloads.add(Arrays.copyOf(c, rnd.nextInt(c.length + 1))); // truncated
        case 2 -> { // trailing bytes
          byte[] t = Arrays.copyOf(c, c.length + 1 + rnd.nextInt(3));
          for (int j = c.length; j < t.length; j++) {
            t[j] = (byte) rnd.nextInt();
          }
          payloads.add(t);
        }
        case 3 -> { // one bit flipped
          if (c.length > 0) {
            c[rnd.nextInt(c.length)] ^= (byte) (1 << rnd.nextInt(8));
          }
          payloads.add(c);
        }
        case 4 -> { // declared length off by one, tags unchanged
          int declared = plain.length + (rnd.nextBoolean() ? 1 : -1);
          if (declared < 0) {
            declared = 1;
          }
          ByteArrayOutputStream o = new ByteArrayOutputStream();
          for (long v = declared; ; v >>>= 7) {
            if (v < 0x80) {
              o.write((int) v);
              break;
            }
            o.write((int) (v & 0x7f) | 0x80);
          }
          int skip = varintLength(c);
          o.write(c, skip, c.length - skip);
          payloads.add(o.toByteArray());
        }
        default -> { // random tags behind a small declared length
          byte[] r = new byte[1 + rnd.nextInt(40)];
          rnd.nextBytes(r);
          r[0] = (byte) rnd.nextInt(64);
          payloads.add(r);
        }
      }
    }
    StringBuilder input = new StringBuilder();
    for (byte[] p : payloads) {
      String topic = topics[rnd.nextInt(topics.length)];
      lineTopics.add(topic);
      input.append(Hex.encode(topic.getBytes(StandardCharsets.UTF_8))).append(' ').append(Hex.encode(p)).append('\n');
    }
    Process proc =
        new ProcessBuilder(JsPeer.nodeBinary(), "msgid-filter.mjs")
            .directory(JsPeer.peerDir().toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Thread writer =
        new Thread(
            () -> {
              try (var w = proc.getOutputStream()) {
                w.write(input.toString().getBytes(StandardCharsets.UTF_8));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    writer.start();
    List<String> jsIds =
        new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertThat(proc.waitFor(50, TimeUnit.SECONDS)).isTrue();
    writer.join(10_000);
    assertThat(jsIds).hasSize(payloads.size());
    int valid = 0;
    for (int i = 0; i < payloads.size(); i++) {
      byte[] p = payloads.get(i);
      if (MessageId.tryDecompress(p, 10 * 1024 * 1024) != null) {
        valid++;
      }
      assertThat(jsIds.get(i))
          .as("seed %d, case %d, topic %s, payload %s", seed, i, lineTopics.get(i), Hex.encode(p))
          .isEqualTo(Hex.encode(MessageId.compute(lineTopics.get(i), p)));
    }
    assertThat(valid).as("valid snappy cases").isGreaterThan(150);
    assertThat(payloads.size() - valid).as("invalid snappy cases").isGreaterThan(600);
  }

  private static int varintLength(byte[] b) {
    int i = 0;
    while (i < b.length && (b[i] & 0x80) != 0) {
      i++;
    }
    return Math.min(i + 1, b.length);
  }

  private static void assertGossip(PeerClient from, PeerClient to, byte[] data, byte[] expectedId) throws Exception {
    double before = System.nanoTime() / 1e6; // js ts must be on the same CLOCK_MONOTONIC
    Map<String, Object> pub = from.request(cmd("publish", "topic", TOPIC, "dataHex", Hex.encode(data)), "published", T);
    assertThat(str(pub, "msgId")).isEqualTo(Hex.encode(expectedId));
    assertThat(num(pub, "len")).isEqualTo(data.length);
    assertThat(str(pub, "sha256")).isEqualTo(Hex.encode(sha256(data)));
    assertThat(list(pub, "recipients")).containsExactly(to.peerId());
    Map<String, Object> msg = to.awaitEvent(event("message", "msgId", Hex.encode(expectedId)), T);
    assertThat(str(msg, "topic")).isEqualTo(TOPIC);
    assertThat(num(msg, "len")).isEqualTo(data.length);
    assertThat(str(msg, "sha256")).isEqualTo(Hex.encode(sha256(data)));
    assertThat(str(msg, "from")).isEqualTo(from.peerId());
    assertThat(dbl(msg, "ts")).isGreaterThan(dbl(pub, "ts"));
    assertThat(dbl(pub, "ts")).isGreaterThan(before);
    assertThat(dbl(msg, "ts")).isLessThan(System.nanoTime() / 1e6);
  }

  private static void assertStatus(PeerClient a, PeerClient b, byte[] payload, boolean noClose) throws Exception {
    Map<String, Object> c = cmd("status", "peer", b.peerId(), "dataHex", Hex.encode(payload));
    if (noClose) {
      c.put("noClose", true);
    }
    Map<String, Object> r = a.request(c, "status-response", T);
    assertThat(str(r, "peer")).isEqualTo(b.peerId());
    assertThat(num(r, "result")).isZero();
    assertThat(num(r, "len")).isEqualTo(payload.length);
    assertThat(str(r, "dataHex")).isEqualTo(Hex.encode(payload));
    assertThat(str(r, "sha256")).isEqualTo(Hex.encode(sha256(payload)));
    assertThat(dbl(r, "wallMs")).isPositive();
    Map<String, Object> served = b.awaitEvent(event("status-request", "peer", a.peerId()), T);
    assertThat(num(served, "len")).isEqualTo(payload.length);
    assertThat(str(served, "sha256")).isEqualTo(Hex.encode(sha256(payload)));
  }

  /** Raw snappy: a literal of {@code plain} (100 B) then a copy of 64 B at offset 100 (164 B). */
  private static byte[] snappyLiteralThenCopy(byte[] plain) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(0xa4); // varint 164
    o.write(0x01);
    o.write(60 << 2); // literal, 1-byte length follows
    o.write(plain.length - 1);
    o.writeBytes(plain);
    o.write(((64 - 1) << 2) | 2); // copy with 2-byte offset, length 64
    o.write(100);
    o.write(0);
    return o.toByteArray();
  }

  /** SHA256(domain || u64le(len(topic)) || topic || data)[:20] (leanspec-networking.md §3.6). */
  static byte[] messageId(String topic, byte[] data, boolean validSnappy) throws NoSuchAlgorithmException {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    d.update(new byte[] {(byte) (validSnappy ? 1 : 0), 0, 0, 0});
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    d.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(t.length).array());
    d.update(t);
    d.update(data);
    return Arrays.copyOf(d.digest(), 20);
  }

  private static byte[] sha256(byte[] b) throws NoSuchAlgorithmException {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
