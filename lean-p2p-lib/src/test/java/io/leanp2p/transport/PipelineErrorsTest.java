package io.leanp2p.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.leanp2p.util.DecodeException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import io.leanp2p.types.CloseReason;

class PipelineErrorsTest {
  private final AtomicLong clock = new AtomicLong();
  private final PipelineErrors errors = new PipelineErrors("test", clock::get);
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(PipelineErrors.class);
  private Level level;

  @BeforeEach
  void attach() {
    level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(log);
    logger.setLevel(level);
  }

  private List<ILoggingEvent> at(Level l) {
    return log.list.stream().filter(e -> e.getLevel() == l).toList();
  }

  @Test
  void networkFailuresAreClassifiedThroughWrappers() {
    assertThat(PipelineErrors.classify(new IOException("Connection reset by peer"))).isEqualTo(PipelineErrors.Kind.RESET);
    assertThat(PipelineErrors.classify(new IOException("Broken pipe"))).isEqualTo(PipelineErrors.Kind.RESET);
    assertThat(PipelineErrors.classify(new ClosedChannelException())).isEqualTo(PipelineErrors.Kind.CLOSED);
    assertThat(PipelineErrors.classify(new SSLHandshakeException("bad"))).isEqualTo(PipelineErrors.Kind.HANDSHAKE);
    assertThat(PipelineErrors.classify(new DecoderException(new DecodeException(DecodeException.Reason.MALFORMED, "x"))))
        .isEqualTo(PipelineErrors.Kind.PROTOCOL);
    assertThat(PipelineErrors.classify(new java.net.PortUnreachableException())).isEqualTo(PipelineErrors.Kind.IO);
    assertThat(PipelineErrors.classify(new IllegalStateException("bug"))).isEqualTo(PipelineErrors.Kind.UNEXPECTED);
    assertThat(PipelineErrors.classify(new DecoderException(new NullPointerException()))).isEqualTo(PipelineErrors.Kind.UNEXPECTED);
  }

  @Test
  void expectedFailuresAreOneDebugLineAndNoStackTrace() {
    for (int i = 0; i < 500; i++) {
      errors.report("conn " + i, new IOException("Connection reset by peer"));
    }
    assertThat(at(Level.DEBUG)).hasSize(500).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
    assertThat(at(Level.WARN)).isEmpty();
    assertThat(errors.counters().get(PipelineErrors.Kind.RESET)).isEqualTo(500);
  }

  @Test
  void unexpectedExceptionsAreRateLimitedWarnLines() {
    for (int i = 0; i < 1000; i++) {
      errors.report("conn", new IllegalStateException("bug " + i));
    }
    List<ILoggingEvent> warns = at(Level.WARN);
    assertThat(warns).hasSize(PipelineErrors.WARN_BURST).allSatisfy(e -> {
      assertThat(e.getThrowableProxy()).isNull();
      assertThat(e.getFormattedMessage()).doesNotContain("\n");
    });
    assertThat(errors.suppressedWarnings()).isEqualTo(1000 - PipelineErrors.WARN_BURST);
    clock.addAndGet(PipelineErrors.WARN_EVERY_SECONDS * 1_000_000_000L);
    errors.report("conn", new IllegalStateException("later"));
    List<ILoggingEvent> after = at(Level.WARN);
    assertThat(after).hasSize(PipelineErrors.WARN_BURST + 1);
    assertThat(after.get(after.size() - 1).getFormattedMessage()).contains("990 similar lines suppressed");
    assertThat(errors.counters().get(PipelineErrors.Kind.UNEXPECTED)).isEqualTo(1001);
  }

  @Test
  void asLastHandlerItClosesTheChannelWithAReasonAndNothingReachesTheTail() {
    EmbeddedChannel ch = new EmbeddedChannel();
    errors.install(ch);
    ch.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    assertThat(ch.isOpen()).isFalse();
    assertThat(ChannelCloseReason.get(ch).kind()).isEqualTo(CloseReason.Kind.IO_ERROR);
    ch.checkException(); // EmbeddedChannel records what reaches its tail: nothing
    assertThat(PipelineErrors.of(ch)).isSameAs(errors);
  }

  @Test
  void theListenerHandlerNeverClosesTheListener() {
    EmbeddedChannel ch = new EmbeddedChannel(errors.listenerHandler());
    ch.pipeline().fireExceptionCaught(new IOException("Too many open files"));
    assertThat(ch.isOpen()).isTrue();
    ch.checkException();
    ch.finishAndReleaseAll();
  }
}
