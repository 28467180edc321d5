package io.leanp2p.cli.peer;

import io.leanp2p.peerclient.JsonLines;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * Writes peer-protocol events as JSON lines, one whole line per call, flushed at once. Safe to call
 * from several threads (the stdin reader, the network's delivery thread, command completions):
 * lines never interleave. A broken stdout (the driver went away) is remembered, not thrown.
 */
public final class EventWriter {
  private final Writer out;
  private boolean broken;

  public EventWriter(Writer out) {
    this.out = out;
  }

  /** Writes one event object as a line and flushes it. */
  public void emit(Map<String, ?> event) {
    String line = JsonLines.write(event);
    synchronized (this) {
      if (broken) {
        return;
      }
      try {
        out.write(line);
        out.write('\n');
        out.flush();
      } catch (IOException e) {
        broken = true;
      }
    }
  }

  /** Whether a write failed (stdout closed). */
  public synchronized boolean isBroken() {
    return broken;
  }
}
