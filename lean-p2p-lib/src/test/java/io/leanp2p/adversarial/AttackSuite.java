package io.leanp2p.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.leanp2p.node.NetworkConfig;
import io.leanp2p.config.AdmissionConfig;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * One victim per test class; every attack (test) is followed by the honest-peer check, which the
 * test itself runs, and by the log check here: the attack may make the victim's process write at
 * most {@link #MAX_LOG_LINES} lines at INFO or above, none of them a stack trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AttackSuite {
  /** Lines (INFO and above, all threads but the honest peers') one attack may cause. */
  static final int MAX_LOG_LINES = 12;

  Victim victim;
  LogCapture logs;

  /**
   * The victim's configuration for this suite: the defaults of a public node (loopback is not
   * exempt from the per-IP limits here: the attackers come from their own 127.x addresses, the
   * honest peers from 127.0.0.1).
   */
  UnaryOperator<NetworkConfig.Builder> victimConfig() {
    return b -> b.admission(AdmissionConfig.defaults().withExemptLoopback(false));
  }

  abstract String victimName();

  @BeforeAll
  void startVictim() throws Exception {
    logs = LogCapture.attach();
    victim = Victim.start(victimName(), victimConfig());
  }

  @AfterAll
  void stopVictim() {
    if (victim != null) {
      victim.close();
    }
    if (logs != null) {
      logs.close();
    }
  }

  @BeforeEach
  void resetLogs() {
    logs.reset();
  }

  @AfterEach
  void boundedLogs(TestInfo info) {
    List<ILoggingEvent> lines = logs.events(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO)
        && !e.getThreadName().contains("-honest"));
    String what = info.getDisplayName() + ":" + LogCapture.describe(lines);
    assertThat(lines.size()).as("log lines at INFO+ caused by %s", what).isLessThanOrEqualTo(MAX_LOG_LINES);
    assertThat(lines.stream().filter(e -> e.getThrowableProxy() != null).count())
        .as("stack traces caused by %s", what)
        .isZero();
  }
}
