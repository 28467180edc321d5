package io.leanp2p.cli.peer;

import io.leanp2p.cli.KeyFiles;
import io.leanp2p.cli.PortConverter;
import io.leanp2p.cli.UsageException;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.node.StartException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeoutException;

/** Starts the network behind {@code lean-p2p peer} and runs the session on stdin/stdout. */
final class PeerMain {
  private PeerMain() {}

  static int run(int tcpPort, int quicPort, List<String> topics, String keyHex) throws Exception {
    Secp256k1PrivateKey key = keyHex != null
        ? KeyFiles.parseHex(keyHex, "--key-hex")
        : Secp256k1PrivateKey.generate(new SecureRandom());
    List<String> listen = new ArrayList<>();
    if (tcpPort != PortConverter.OFF) {
      listen.add("/ip4/127.0.0.1/tcp/" + tcpPort);
    }
    if (quicPort != PortConverter.OFF) {
      listen.add("/ip4/127.0.0.1/udp/" + quicPort + "/quic-v1");
    }
    // stdout carries JSON lines only: once started, anything else printing to System.out goes to stderr
    EventWriter out = new EventWriter(new BufferedWriter(
        new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16));
    LeanPeerBackend backend;
    try {
      backend = LeanPeerBackend.start(
          // a test service: status requests of any payload are echoed (docs/peer-protocol.md)
          NetworkConfig.builder().name("peer").identity(key).listenAddresses(listen)
              .reqresp(io.leanp2p.config.ReqRespConfig.leanDefaults().withOpaqueStatus(true)),
          out, System::nanoTime, Duration.ofSeconds(30));
    } catch (StartException e) {
      out.emit(PeerEvents.error("start", null, e.getMessage()));
      throw new UsageException("peer: cannot start: " + e.getMessage());
    } catch (TimeoutException e) {
      out.emit(PeerEvents.error("start", null, "not ready within 30 s"));
      throw new UsageException("peer: the network was not ready within 30 s");
    }
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    for (String t : topics) {
      backend.subscribe(t).join();
    }
    PeerSession session = new PeerSession(backend, out, System::nanoTime, new SizedPayloads(new Random(new SecureRandom().nextLong())));
    io.leanp2p.cli.Signals.onTerminate(() -> session.stop(null), 0);
    out.emit(backend.listeningEvent(key, topics));
    session.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16));
    return 0;
  }
}
