package io.leanp2p.cli.devnet;

import java.util.List;
import java.util.Locale;

/**
 * Renders the devnet's live table. On a terminal the table is redrawn in place (ANSI cursor-up and
 * clear-to-end); otherwise each refresh is one plain summary line per slot. Pure: returns strings.
 */
public final class TableRenderer {
  private static final String HEADER_FORMAT = "%-6s %-4s %5s %4s %9s %9s %7s %6s %6s %6s %8s %6s %6s";
  private static final String ROW_FORMAT = "%-6s %-4s %5d %4d %9d %9d %7.2f %6d %6d %6d %8s %6d %6d";

  private final boolean ansi;
  private int previousLines;

  public TableRenderer(boolean ansi) {
    this.ansi = ansi;
  }

  /** The table (with status line), preceded on a terminal by the codes that erase the previous one. */
  public String render(String status, List<NodeRow> rows, String propagationLine) {
    if (!ansi) {
      return plainLine(status, rows, propagationLine) + "\n";
    }
    StringBuilder sb = new StringBuilder();
    if (previousLines > 0) {
      sb.append("\033[").append(previousLines).append("A\r\033[J");
    }
    String table = table(status, rows, propagationLine);
    sb.append(table);
    previousLines = (int) table.chars().filter(c -> c == '\n').count();
    return sb.toString();
  }

  /** The table itself, every line ending in a newline. */
  public static String table(String status, List<NodeRow> rows, String propagationLine) {
    StringBuilder sb = new StringBuilder();
    sb.append(status).append('\n');
    sb.append(String.format(Locale.ROOT, HEADER_FORMAT, "node", "tx", "peers", "mesh", "msgs in", "msgs out",
        "MB/s in", "blocks", "atts", "reqs", "req p50", "queue", "drops")).append('\n');
    for (NodeRow r : rows) {
      sb.append(String.format(Locale.ROOT, ROW_FORMAT, r.name(), r.transport(), r.peers(), r.mesh(), r.msgsIn(),
          r.msgsOut(), r.mbPerSec(), r.blocks(), r.attestations(), r.requests(),
          Percentiles.ms(r.reqLatencyP50Nanos()) + (r.reqLatencyP50Nanos() < 0 ? "" : "ms"), r.queueDepth(),
          r.drops())).append('\n');
    }
    sb.append(propagationLine).append('\n');
    return sb.toString();
  }

  /** One line for a non-terminal: status, totals over all nodes, propagation. */
  public static String plainLine(String status, List<NodeRow> rows, String propagationLine) {
    long in = 0;
    long out = 0;
    long drops = 0;
    int minPeers = Integer.MAX_VALUE;
    int minMesh = Integer.MAX_VALUE;
    double mb = 0;
    for (NodeRow r : rows) {
      in += r.msgsIn();
      out += r.msgsOut();
      drops += r.drops();
      mb += r.mbPerSec();
      minPeers = Math.min(minPeers, r.peers());
      minMesh = Math.min(minMesh, r.mesh());
    }
    if (rows.isEmpty()) {
      minPeers = 0;
      minMesh = 0;
    }
    return String.format(Locale.ROOT, "%s | nodes %d, min peers %d, min mesh %d, msgs in %d out %d, %.2f MB/s, drops %d | %s",
        status, rows.size(), minPeers, minMesh, in, out, mb, drops, propagationLine);
  }
}
