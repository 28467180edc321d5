package io.leanp2p.cli;

import io.leanp2p.crypto.PeerId;
import io.leanp2p.crypto.Secp256k1PrivateKey;
import io.leanp2p.crypto.enr.Enr;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lean-p2p enr}: prints the ENR of a key file for an IPv4 address and a QUIC port, with the
 * keys lean-quickstart's nodes.yaml records carry: {@code id}, {@code ip}, {@code quic},
 * {@code secp256k1}.
 */
@Command(
    name = "enr",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Print the ENR (EIP-778, signed with the key) of a node key for an IPv4 address and a QUIC port: "
          + "the record a devnet generator puts in nodes.yaml. It carries id, ip, quic and secp256k1, "
          + "as lean-quickstart's records do.",
      "Example: lean-p2p enr --node-key lean-p2p_0.key --ip 127.0.0.1 --quic-port 9008 --yaml >> nodes.yaml"
    })
public final class EnrCommand implements Callable<Integer> {
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  @Option(names = {"--node-key", "--key-file"}, required = true, paramLabel = "FILE",
      description = "The secp256k1 key file: 64 hex digits (lean-quickstart's NAME.key).")
  Path keyFile;

  @Option(names = "--ip", required = true, paramLabel = "IPV4", description = "The node's IPv4 address, e.g. 127.0.0.1.")
  String ip;

  @Option(names = {"--quic-port", "--listen-port"}, required = true, paramLabel = "PORT",
      description = "The node's QUIC (UDP) port, 1..65535.")
  int quicPort;

  @Option(names = "--seq", paramLabel = "N", defaultValue = "1", description = "The record's sequence number (default: ${DEFAULT-VALUE}).")
  long seq;

  @Option(names = "--yaml", description = "Print it as a nodes.yaml list item: - enr:...")
  boolean yaml;

  @Option(names = "--verbose", description = "Also print the PeerId and the multiaddr the record dials (as # comments).")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    byte[] ipBytes = ipv4(ip);
    if (quicPort < 1 || quicPort > 65535) {
      throw new UsageException("--quic-port must be in [1, 65535], got " + quicPort);
    }
    if (seq < 0) {
      throw new UsageException("--seq must be >= 0");
    }
    Secp256k1PrivateKey key = KeyFiles.load(keyFile, "--node-key");
    Enr enr = Enr.create(key, seq, Map.of("ip", ipBytes, "quic", port(quicPort)));
    PrintWriter out = spec.commandLine().getOut();
    out.println(yaml ? "- " + enr.toText() : enr.toText());
    if (verbose) {
      out.println("# peer id: " + PeerId.fromPublicKey(key.publicKey()));
      out.println("# dials:   " + enr.dialMultiaddr().map(Object::toString).orElse("?"));
    }
    out.flush();
    return 0;
  }

  /** The 4 bytes of a dotted IPv4 literal (no host names: the record holds an address). */
  static byte[] ipv4(String text) {
    var m = IPV4.matcher(text.strip());
    if (!m.matches()) {
      throw new UsageException("--ip: '" + text + "' is not an IPv4 address (e.g. 127.0.0.1)");
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      int v = Integer.parseInt(m.group(i + 1));
      if (v > 255) {
        throw new UsageException("--ip: '" + text + "' is not an IPv4 address (each part 0..255)");
      }
      b[i] = (byte) v;
    }
    try {
      InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new UsageException("--ip: " + e.getMessage());
    }
    return b;
  }

  /** A port as ENR stores it: big-endian, no leading zero byte. */
  static byte[] port(int p) {
    return p < 256 ? new byte[] {(byte) p} : new byte[] {(byte) (p >>> 8), (byte) p};
  }
}
