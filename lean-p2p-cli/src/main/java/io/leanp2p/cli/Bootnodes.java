package io.leanp2p.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.leanp2p.crypto.PeerId;
import io.leanp2p.node.LeanNetwork;
import io.leanp2p.util.DecodeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code --bootnodes} values of {@code lean-p2p node}: multiaddrs and ENRs as given, and files
 * that list them: a lean-quickstart {@code nodes.yaml} (a YAML list of {@code enr:} strings, read
 * with Jackson's YAML module) or a text file with one entry per line ({@code #} comments). A file
 * may be named as {@code FILE} or {@code @FILE}. Every problem is a {@link UsageException}.
 */
public final class Bootnodes {
  /** Largest bootnode file read (checked before reading). */
  public static final long MAX_FILE_BYTES = 1 << 20;
  /** Most bootnodes taken from all sources together. */
  public static final int MAX_ENTRIES = 4096;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Bootnodes() {}

  /** The entries after reading the files, each checked to be a dialable multiaddr or a signed ENR. */
  public static List<String> expand(List<String> entries) {
    List<String> out = new ArrayList<>();
    for (String e : entries) {
      String t = e.strip();
      if (t.isEmpty()) {
        continue;
      }
      boolean file = !t.startsWith("enr:") && (!t.startsWith("/") || Files.isRegularFile(Path.of(t)));
      if (!file) {
        add(out, check(t, "--bootnodes"));
        continue;
      }
      Path f = Path.of(t.startsWith("@") ? t.substring(1) : t);
      if (!Files.isRegularFile(f)) {
        throw new UsageException("--bootnodes: '" + t + "' is neither a multiaddr (/ip4/...), an ENR (enr:...) nor a file"
            + " (give a lean-quickstart nodes.yaml, a file with one entry per line, or the entries themselves)");
      }
      for (String entry : readFile(f)) {
        add(out, check(entry, "--bootnodes " + f));
      }
    }
    return out;
  }

  /** The entries without those that name {@code self} (a nodes.yaml lists every node, this one too). */
  public static List<String> withoutSelf(List<String> entries, PeerId self) {
    List<String> out = new ArrayList<>(entries.size());
    for (String e : entries) {
      if (!peerOf(e).filter(self::equals).isPresent()) {
        out.add(e);
      }
    }
    return out;
  }

  /** The PeerId a bootnode entry names ({@code /p2p/} or the ENR's key), if any. */
  public static Optional<PeerId> peerOf(String entry) {
    try {
      return PeerId.fromMultiaddr(LeanNetwork.parseDialable(entry));
    } catch (DecodeException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Reads a bootnode file: YAML when it is named .yaml/.yml or is a YAML list, else one entry per line. */
  static List<String> readFile(Path f) {
    String text;
    try {
      long size = Files.size(f);
      if (size > MAX_FILE_BYTES) {
        throw new UsageException("--bootnodes: " + f + " has " + size + " bytes, more than the " + MAX_FILE_BYTES
            + " a bootnode list may have (is it the right file?)");
      }
      text = Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UsageException("--bootnodes: cannot read " + f + ": " + e.getMessage());
    }
    String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".yaml") || name.endsWith(".yml") || firstContentLine(text).startsWith("- ")) {
      return readYamlList(text, f);
    }
    List<String> out = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        for (String part : l.split(",")) {
          if (!part.isBlank()) {
            out.add(part.strip());
          }
        }
      }
    }
    return out;
  }

  private static List<String> readYamlList(String text, Path f) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      throw new UsageException("--bootnodes: " + f + " is not valid YAML: " + firstLine(e.getMessage()));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return List.of(); // an empty nodes.yaml: no bootnodes
    }
    if (!root.isArray()) {
      throw new UsageException("--bootnodes: " + f + " must be a YAML list of ENRs or multiaddrs (\"- enr:...\"), as "
          + "lean-quickstart's nodes.yaml is");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode n : root) {
      if (!n.isTextual()) {
        throw new UsageException("--bootnodes: " + f + ": every list item must be a string (enr:... or /ip4/...), got "
            + abbreviate(n.toString()));
      }
      out.add(n.asText().strip());
    }
    return out;
  }

  private static String check(String entry, String where) {
    try {
      LeanNetwork.parseDialable(entry);
    } catch (DecodeException | RuntimeException ex) {
      if (entry.startsWith("enr:")) {
        throw new UsageException(where + ": bad ENR '" + abbreviate(entry) + "': " + ex.getMessage()
            + " (an ENR must be signed and carry ip and quic; `lean-p2p enr` prints one)");
      }
      throw new UsageException(where + ": '" + abbreviate(entry) + "' is neither a multiaddr (" + ex.getMessage()
          + "; e.g. /ip4/1.2.3.4/udp/9000/quic-v1/p2p/16Uiu2...) nor an existing file (lean-quickstart's nodes.yaml,"
          + " or one entry per line)");
    }
    return entry;
  }

  private static void add(List<String> out, String entry) {
    if (out.size() >= MAX_ENTRIES) {
      throw new UsageException("--bootnodes: more than " + MAX_ENTRIES + " entries");
    }
    out.add(entry);
  }

  private static String firstContentLine(String text) {
    for (String line : text.split("\\R")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#") && !l.equals("---")) {
        return l;
      }
    }
    return "";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }
}
