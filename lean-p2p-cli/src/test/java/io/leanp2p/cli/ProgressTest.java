package io.leanp2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  static final long S = 1_000_000_000L;

  @Test
  void offATerminalLinesAreRateLimitedAndTheFinishAlwaysPrints() {
    StringWriter w = new StringWriter();
    AtomicLong now = new AtomicLong(100 * S);
    Progress p = new Progress(new PrintWriter(w), false, now::get, 2 * S);
    p.update("a");
    now.addAndGet(S);
    p.update("b"); // within 2 s of "a": not printed
    now.addAndGet(S);
    p.update("c");
    p.update("c"); // unchanged
    p.finish("done");
    assertThat(w.toString()).isEqualTo("a\nc\ndone\n");
  }

  @Test
  void onATerminalTheLineIsRewrittenInPlace() {
    StringWriter w = new StringWriter();
    Progress p = new Progress(new PrintWriter(w), true, () -> 0, 2 * S);
    p.update("1/3");
    p.update("2/3");
    p.finish("3/3");
    assertThat(w.toString()).isEqualTo("\r1/3\033[K\r2/3\033[K\r3/3\033[K\n");
  }

  @Test
  void counterEstimatesTheTimeLeftFromTheMeanStep() {
    assertThat(Progress.counter(0, 18, 5 * S)).isEqualTo("[0/18, 5s elapsed]");
    assertThat(Progress.counter(3, 18, 90 * S)).isEqualTo("[3/18, 1m30s elapsed, ~7m30s left]");
    assertThat(Progress.counter(18, 18, 3700 * S)).isEqualTo("[18/18, 1h01m elapsed]");
  }
}
