package io.leanp2p.cli.peer;

import io.leanp2p.util.Hex;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks the peer protocol (docs/peer-protocol.md) over a {@link PeerBackend}: reads command
 * lines, runs them concurrently (each answers by its id, as the js peer does), writes result and
 * error events. A bad line is answered with an {@code error} event and the session keeps running.
 */
public final class PeerSession {
  private static final Logger LOG = LoggerFactory.getLogger(PeerSession.class);
  /** The default bound on dial / ping / status when the command gives no {@code timeoutMs}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final PeerBackend backend;
  private final EventWriter out;
  private final LongSupplier nanoClock;
  private final SizedPayloads payloads;
  private final AtomicBoolean stopped = new AtomicBoolean();

  /**
   * @param nanoClock the monotonic clock of {@code ts}, {@code wallMs} ({@code System::nanoTime})
   */
  public PeerSession(PeerBackend backend, EventWriter out, LongSupplier nanoClock, SizedPayloads payloads) {
    this.backend = backend;
    this.out = out;
    this.nanoClock = nanoClock;
    this.payloads = payloads;
  }

  /** Reads lines until {@code stop} or end of input, then stops. */
  public void run(BufferedReader in) throws IOException {
    String line;
    while (!stopped.get() && (line = in.readLine()) != null) {
      handleLine(line);
    }
    stop(null);
  }

  /**
   * Handles one line.
   *
   * @return false once the session is stopped
   */
  public boolean handleLine(String line) {
    if (stopped.get()) {
      return false;
    }
    PeerRequest request;
    try {
      request = PeerRequestParser.parse(line);
    } catch (PeerProtocolException e) {
      out.emit(PeerEvents.error(e.cmd(), e.id(), e.getMessage()));
      return true;
    }
    if (request == null) {
      return true;
    }
    if (request instanceof PeerRequest.Stop s) {
      stop(s.id());
      return false;
    }
    try {
      dispatch(request);
    } catch (RuntimeException e) {
      LOG.warn("command {} failed", request.cmd(), e);
      fail(request, e);
    }
    return true;
  }

  /** Stops once: closes the backend, then prints {@code stopped} (with the stop command's id). */
  public void stop(Object id) {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    try {
      backend.close();
    } catch (RuntimeException e) {
      LOG.warn("closing the network failed", e);
    }
    out.emit(PeerEvents.withId(PeerEvents.event("stopped"), id));
  }

  public boolean isStopped() {
    return stopped.get();
  }

  private void dispatch(PeerRequest request) {
    switch (request) {
      case PeerRequest.Dial d ->
          answer(d, backend.dial(d.addr(), d.persistent(), timeout(d.timeoutMs())), r -> {
            Map<String, Object> m = PeerEvents.event("dialed");
            m.put("peer", r.peer());
            m.put("addr", r.addr());
            return m;
          });
      case PeerRequest.Publish p -> publish(p);
      case PeerRequest.Ping p -> {
        long t0 = nanoClock.getAsLong();
        answer(p, backend.ping(p.peer(), timeout(p.timeoutMs())), r -> {
          long wall = nanoClock.getAsLong() - t0;
          Map<String, Object> m = PeerEvents.event("ping");
          m.put("peer", r.peer());
          m.put("rttMs", r.rttMs());
          m.put("wallMs", PeerEvents.millis(wall));
          return m;
        });
      }
      case PeerRequest.Status s -> {
        long t0 = nanoClock.getAsLong();
        answer(s, backend.status(s.peer(), s.data(), timeout(s.timeoutMs())), r -> {
          long wall = nanoClock.getAsLong() - t0;
          Map<String, Object> m = PeerEvents.event("status-response");
          m.put("peer", r.peer());
          m.put("result", r.result());
          m.put("len", r.data().length);
          m.put("dataHex", Hex.encode(r.data()));
          m.put("sha256", PeerEvents.sha256Hex(r.data()));
          m.put("wallMs", PeerEvents.millis(wall));
          return m;
        });
      }
      case PeerRequest.Subscribe s -> answer(s, backend.subscribe(s.topic()), v -> topicEvent("subscribed", s.topic()));
      case PeerRequest.Unsubscribe u ->
          answer(u, backend.unsubscribe(u.topic()), v -> topicEvent("unsubscribed", u.topic()));
      case PeerRequest.Info i -> {
        PeerBackend.Info info = backend.info();
        Map<String, Object> m = PeerEvents.event("info");
        m.put("peerId", info.peerId());
        m.put("addrs", info.addrs());
        m.put("peers", info.peers());
        m.put("topics", info.topics());
        out.emit(PeerEvents.withId(m, i.id()));
      }
      case PeerRequest.Stop s -> stop(s.id());
    }
  }

  private void publish(PeerRequest.Publish p) {
    long ts = nanoClock.getAsLong(); // taken before the message is built
    byte[] data = p.data() != null ? p.data() : payloads.next(p.size());
    answer(p, backend.publish(p.topic(), data), published -> {
      Map<String, Object> m = PeerEvents.event("published");
      m.put("topic", p.topic());
      m.put("len", data.length);
      m.put("sha256", PeerEvents.sha256Hex(data));
      m.put("msgId", published.msgIdHex());
      m.put("ts", PeerEvents.millis(ts));
      m.put("recipients", published.recipients());
      return m;
    });
  }

  private static Map<String, Object> topicEvent(String name, String topic) {
    Map<String, Object> m = PeerEvents.event(name);
    m.put("topic", topic);
    return m;
  }

  private <T> void answer(
      PeerRequest request, CompletableFuture<T> result, java.util.function.Function<T, Map<String, Object>> toEvent) {
    result.whenComplete(
        (value, error) -> {
          if (error != null) {
            fail(request, error);
          } else {
            out.emit(PeerEvents.withId(toEvent.apply(value), request.id()));
          }
        });
  }

  private void fail(PeerRequest request, Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    out.emit(PeerEvents.error(request.cmd(), request.id(), message));
  }

  private static Duration timeout(long ms) {
    return ms > 0 ? Duration.ofMillis(ms) : DEFAULT_TIMEOUT;
  }
}
