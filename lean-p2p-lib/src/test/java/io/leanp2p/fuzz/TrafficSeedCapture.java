package io.leanp2p.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.sszsnappy.SszSnappy;
import io.leanp2p.multiformats.Multiaddr;
import io.leanp2p.multiformats.Varint;
import io.leanp2p.peerclient.PeerClient;
import io.leanp2p.testing.JsPeer;
import io.leanp2p.transport.tcp.noise.CipherState;
import io.leanp2p.transport.tcp.noise.NoisePayload;
import io.leanp2p.transport.tcp.noise.NoiseXX;
import io.leanp2p.transport.tcp.yamux.YamuxFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Captures real js-libp2p traffic as fuzz seeds ({@code scripts/fuzz.sh seeds}; skipped in normal
 * runs). It dials the project's js-libp2p test peer over TCP from a plain socket and speaks the
 * stack by hand (multistream, Noise XX with our keys, then Yamux inside Noise), so that every
 * layer of what js sends can be recorded in the clear: the multistream answer, its Noise handshake
 * payload, its Yamux frames, the stream-level multistream answers, its identify message and its
 * status response chunk. Files are written as {@code js-*} next to the fixture seeds.
 */
@EnabledIfSystemProperty(named = "fuzz.capture", matches = "true")
class TrafficSeedCapture {
  private static final Path INPUTS = Path.of("src/test/resources/io/leanp2p/fuzz");
  private static final String STATUS = "/leanconsensus/req/status/1/ssz_snappy";

  @Test
  @Timeout(120)
  void captureFromJsPeer() throws Exception {
    JsPeer.assumeAvailable();
    try (PeerClient js = JsPeer.start(JsPeer.Options.defaults().withQuicPort("off"));
        Socket s = new Socket()) {
      InetSocketAddress addr = Multiaddr.parse(js.tcpAddr()).toSocketAddress();
      s.connect(addr, 10_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());

      // multistream on the raw connection: js answers the header and /noise
      out.write(concat(ms("/multistream/1.0.0"), ms("/noise")));
      byte[] msAnswer = concat(readMs(in), readMs(in));
      seed("MultistreamFuzzTest", "dialer", "js-noise-answer", msAnswer);

      // Noise XX as the initiator, our fixed keys
      NoiseXX xx = new NoiseXX(true, Keys.LOCAL_STATIC, Keys.random(9));
      writeFrame(out, xx.writeMessage(new byte[0]));
      byte[] msg2 = readFrame(in);
      byte[] jsPayload = xx.readMessage(msg2);
      seed("NoiseFuzzTest", "handshakePayload", "js-payload", jsPayload);
      writeFrame(out, xx.writeMessage(NoisePayload.build(Keys.LOCAL, Keys.LOCAL_STATIC.publicKey())));
      CipherState[] c = xx.split();
      CipherState send = c[0];
      CipherState receive = c[1];

      // inside Noise: /yamux/1.0.0, then stream 1 asks for identify, stream 3 sends a status request
      byte[] status = SszSnappy.encodeRequest(new byte[80]);
      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      plain.writeBytes(concat(ms("/multistream/1.0.0"), ms("/yamux/1.0.0")));
      plain.writeBytes(yamux(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.SYN, 1, 0, new byte[0]));
      plain.writeBytes(yamux(YamuxFrame.TYPE_DATA, 0, 1, -1,
          concat(ms("/multistream/1.0.0"), ms("/ipfs/id/1.0.0"))));
      plain.writeBytes(yamux(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.SYN, 3, 0, new byte[0]));
      plain.writeBytes(yamux(YamuxFrame.TYPE_DATA, YamuxFrame.FIN, 3, -1,
          concat(ms("/multistream/1.0.0"), ms(STATUS), status)));
      writeEncrypted(out, send, plain.toByteArray());

      // everything js sends for a while, decrypted
      s.setSoTimeout(3_000);
      byte[] fromJs = readDecrypted(in, receive);
      int msLen = msLength(fromJs, 2);
      seed("MultistreamFuzzTest", "dialer", "js-yamux-answer", java.util.Arrays.copyOf(fromJs, msLen));
      byte[] frames = java.util.Arrays.copyOfRange(fromJs, msLen, fromJs.length);
      assertThat(frames.length).as("js sent Yamux frames").isGreaterThan(YamuxFrame.HEADER);
      seed("YamuxFuzzTest", "raw", "js-session", frames);

      // per-stream payloads of js's frames
      Map<Integer, ByteArrayOutputStream> streams = new LinkedHashMap<>();
      ByteBuf b = Unpooled.wrappedBuffer(frames);
      while (b.readableBytes() >= YamuxFrame.HEADER) {
        b.skipBytes(1);
        int type = b.readUnsignedByte();
        b.skipBytes(2);
        int id = b.readInt();
        long len = b.readUnsignedInt();
        if (type == YamuxFrame.TYPE_DATA) {
          if (b.readableBytes() < len) {
            break;
          }
          byte[] d = new byte[(int) len];
          b.readBytes(d);
          streams.computeIfAbsent(id, k -> new ByteArrayOutputStream()).writeBytes(d);
        }
      }
      b.release();
      for (Map.Entry<Integer, ByteArrayOutputStream> e : streams.entrySet()) {
        byte[] data = e.getValue().toByteArray();
        int id = e.getKey();
        if (id % 2 == 0) {
          // a stream js opened: its proposals, which we answer as listener
          seed("MultistreamFuzzTest", "listener", "js-stream-" + id, data);
          continue;
        }
        int n = msLength(data, 2);
        seed("MultistreamFuzzTest", "dialer", "js-stream-" + id, java.util.Arrays.copyOf(data, n));
        byte[] body = java.util.Arrays.copyOfRange(data, n, data.length);
        if (id == 1) {
          Varint.Decoded len = Varint.decode(body, 0);
          seed("IdentifyFuzzTest", "message", "js-identify",
              java.util.Arrays.copyOfRange(body, len.length(), len.length() + (int) len.value()));
        } else if (id == 3 && body.length > 0) {
          seed("SszSnappyFuzzTest", "response", "js-status-response", body);
        }
      }
      assertThat(streams).containsKey(1);
    }
  }

  private static void seed(String cls, String method, String name, byte[] data) throws Exception {
    Path dir = INPUTS.resolve(cls + "Inputs").resolve(method);
    Files.createDirectories(dir);
    Files.write(dir.resolve(name), data);
  }

  private static byte[] ms(String text) {
    byte[] t = (text + "\n").getBytes(StandardCharsets.UTF_8);
    return concat(Varint.encode(t.length), t);
  }

  /** Reads one multistream message and returns it with its length prefix. */
  private static byte[] readMs(DataInputStream in) throws Exception {
    int len = in.readUnsignedByte(); // all our messages are shorter than 128 bytes
    byte[] body = new byte[len];
    in.readFully(body);
    return concat(new byte[] {(byte) len}, body);
  }

  /** Length of the first {@code count} multistream messages in {@code b}. */
  private static int msLength(byte[] b, int count) throws Exception {
    int pos = 0;
    for (int i = 0; i < count; i++) {
      Varint.Decoded d = Varint.decode(b, pos);
      pos += d.length() + (int) d.value();
    }
    return pos;
  }

  private static byte[] yamux(int type, int flags, int id, long length, byte[] payload) {
    ByteBuf h = Unpooled.buffer(YamuxFrame.HEADER + payload.length);
    YamuxFrame.writeHeader(h, type, flags, id, length < 0 ? payload.length : length);
    h.writeBytes(payload);
    byte[] out = new byte[h.readableBytes()];
    h.readBytes(out);
    h.release();
    return out;
  }

  private static void writeFrame(OutputStream out, byte[] msg) throws Exception {
    out.write(new byte[] {(byte) (msg.length >>> 8), (byte) msg.length});
    out.write(msg);
    out.flush();
  }

  private static byte[] readFrame(DataInputStream in) throws Exception {
    byte[] m = new byte[in.readUnsignedShort()];
    in.readFully(m);
    return m;
  }

  private static void writeEncrypted(OutputStream out, CipherState send, byte[] plain) throws Exception {
    ByteBuf p = Unpooled.wrappedBuffer(plain);
    ByteBuf ct = Unpooled.buffer();
    send.encrypt(p, 0, plain.length, ct);
    byte[] frame = new byte[ct.readableBytes()];
    ct.readBytes(frame);
    p.release();
    ct.release();
    writeFrame(out, frame);
  }

  /** Decrypts whole Noise frames until the connection stays quiet for a read timeout. */
  private static byte[] readDecrypted(DataInputStream in, CipherState receive) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (out.size() < 256 * 1024) {
      byte[] frame;
      try {
        int hi = in.read();
        if (hi < 0) {
          break;
        }
        frame = new byte[(hi << 8) | in.readUnsignedByte()];
        in.readFully(frame);
      } catch (SocketTimeoutException e) {
        break;
      }
      ByteBuf ct = Unpooled.wrappedBuffer(frame);
      ByteBuf pt = Unpooled.buffer();
      receive.decrypt(ct, 0, frame.length, pt);
      byte[] p = new byte[pt.readableBytes()];
      pt.readBytes(p);
      ct.release();
      pt.release();
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
