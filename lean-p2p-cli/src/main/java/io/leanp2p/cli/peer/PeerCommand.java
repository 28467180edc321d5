package io.leanp2p.cli.peer;

import io.leanp2p.cli.PortConverter;
import io.leanp2p.cli.UsageException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lean-p2p peer}: the scriptable JSON-lines peer of docs/peer-protocol.md. */
@Command(
    name = "peer",
    mixinStandardHelpOptions = true,
    description = {
      "A long-running peer driven by JSON lines: commands on stdin, events on stdout (one JSON object "
          + "per line, flushed at once; all logs go to stderr).",
      "Commands: dial, publish (dataHex or size), ping, status, subscribe, unsubscribe, info, stop.",
      "Events: listening, connected, disconnected, subscription, graft, prune, message, "
          + "status-request, and one result or error event per command (echoing its \"id\").",
      "The protocol is specified in docs/peer-protocol.md."
    })
public final class PeerCommand implements Callable<Integer> {
  @Option(names = "--tcp-port", paramLabel = "N|off", converter = PortConverter.class, defaultValue = "0",
      description = "Listen on /ip4/127.0.0.1/tcp/N (TCP + Noise + Yamux); 0 picks a free port; off disables (default: ${DEFAULT-VALUE}).")
  int tcpPort;

  @Option(names = "--quic-port", paramLabel = "N|off", converter = PortConverter.class, defaultValue = "0",
      description = "Listen on /ip4/127.0.0.1/udp/N/quic-v1 (QUIC v1 + libp2p TLS); 0 picks; off disables (default: ${DEFAULT-VALUE}).")
  int quicPort;

  @Option(names = "--topics", split = ",", paramLabel = "TOPIC",
      description = "Gossipsub topics to subscribe at start (full topic strings, comma-separated).")
  List<String> topics = List.of();

  @Option(names = "--key-hex", paramLabel = "HEX",
      description = "The secp256k1 identity private key, 32 bytes hex; without it a fresh key is generated.")
  String keyHex;

  @Override
  public Integer call() throws Exception {
    if (tcpPort == PortConverter.OFF && quicPort == PortConverter.OFF) {
      throw new UsageException("--tcp-port and --quic-port are both off: nothing to listen on");
    }
    return PeerMain.run(tcpPort, quicPort, topics, keyHex);
  }
}
