package io.leanp2p.transport.multistream;

import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * multistream-select 1.0 over a {@link MuxedStream} (a Yamux or QUIC stream). Everything runs on
 * the stream's event loop. On failure the stream is reset and the reason reported; on success the
 * stream and every byte that followed the final negotiation message go to the protocol.
 */
public final class StreamNegotiator {
  private StreamNegotiator() {}

  /** Result of a dialer-side negotiation; exactly one method is called, once. */
  public interface SelectCallback {
    /**
     * {@code protocol} was accepted. {@code leftover} (owned by the callee, maybe empty) holds
     * bytes the remote sent right after its acceptance; install a stream handler before returning.
     */
    void selected(MuxedStream s, String protocol, ByteBuf leftover);

    /** The negotiation failed; the stream was reset. {@code reason} starts with a {@link NegotiationFailure} name. */
    void failed(MuxedStream s, String reason);
  }

  /** Result of {@link #list}. */
  public interface ListCallback {
    void listed(MuxedStream s, List<String> protocols);

    void failed(MuxedStream s, String reason);
  }

  /**
   * Dialer, lazy: sends the header and the first protocol together, then proposes the next after
   * each {@code na} (e.g. {@code /meshsub/1.2.0} then {@code /meshsub/1.1.0}).
   */
  public static void select(
      MuxedStream s,
      List<String> protocols,
      Scheduler sched,
      long timeoutMillis,
      SelectCallback cb) {
    Scheduler.Cancellable[] timer = new Scheduler.Cancellable[1];
    MultistreamDialer dialer =
        new MultistreamDialer(
            protocols,
            s.alloc(),
            s::write,
            new MultistreamNegotiation.Outcome() {
              @Override
              public void selected(String protocol, ByteBuf leftover) {
                cancel(timer);
                cb.selected(s, protocol, leftover);
              }

              @Override
              public void failed(NegotiationFailure failure, String detail) {
                cancel(timer);
                s.reset();
                cb.failed(s, failure.reason(detail));
              }
            });
    run(s, dialer, sched, timeoutMillis, timer);
    dialer.start();
  }

  /** Dialer: asks the listener for its protocols with {@code ls}; the stream is reset afterwards. */
  /**
   * Opens a new stream on {@code c} and runs {@link #select} on it. If the stream cannot be
   * opened, {@code cb.failed} is called with a null stream and a reason starting with
   * {@code NOT_CONNECTED}.
   */
  public static void open(
      Connection c, List<String> protocols, Scheduler sched, long timeoutMillis, SelectCallback cb) {
    c.openStream()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                cb.failed(null, "NOT_CONNECTED: cannot open a stream: " + f.cause());
                return;
              }
              select((MuxedStream) f.getNow(), protocols, sched, timeoutMillis, cb);
            });
  }

  public static void list(MuxedStream s, Scheduler sched, long timeoutMillis, ListCallback cb) {
    Scheduler.Cancellable[] timer = new Scheduler.Cancellable[1];
    MultistreamDialer dialer =
        new MultistreamDialer(
            List.of(),
            listed -> {
              cancel(timer);
              s.reset();
              cb.listed(s, listed);
            },
            s.alloc(),
            s::write,
            new MultistreamNegotiation.Outcome() {
              @Override
              public void selected(String protocol, ByteBuf leftover) {
                leftover.release(); // never called for ls
              }

              @Override
              public void failed(NegotiationFailure failure, String detail) {
                cancel(timer);
                s.reset();
                cb.failed(s, failure.reason(detail));
              }
            });
    run(s, dialer, sched, timeoutMillis, timer);
    dialer.start();
  }

  /**
   * Listener: answers proposals from {@code registry} ({@code na} otherwise, {@code ls} with the
   * list), then hands the stream and the leftover bytes to the chosen handler. Outcomes are counted
   * in {@link ProtocolRegistry#stats()}.
   */
  public static void listen(
      MuxedStream s, ProtocolRegistry registry, Scheduler sched, long timeoutMillis) {
    Scheduler.Cancellable[] timer = new Scheduler.Cancellable[1];
    MultistreamListener listener =
        new MultistreamListener(
            id -> registry.get(id).isPresent(),
            registry::protocols,
            s.alloc(),
            s::write,
            new MultistreamNegotiation.Outcome() {
              @Override
              public void selected(String protocol, ByteBuf leftover) {
                cancel(timer);
                registry.countNegotiated();
                ProtocolHandler h = registry.get(protocol).orElseThrow();
                h.onStream(s, leftover);
              }

              @Override
              public void failed(NegotiationFailure failure, String detail) {
                cancel(timer);
                registry.countFailure(failure);
                s.reset();
              }
            });
    run(s, listener, sched, timeoutMillis, timer);
  }

  private static void run(
      MuxedStream s,
      MultistreamNegotiation n,
      Scheduler sched,
      long timeoutMillis,
      Scheduler.Cancellable[] timer) {
    timer[0] =
        sched.scheduleMillis(
            timeoutMillis,
            () -> n.abort(NegotiationFailure.TIMEOUT, "no agreement within " + timeoutMillis + " ms"));
    s.handler(new NegotiatingHandler(n));
  }

  private static void cancel(Scheduler.Cancellable[] timer) {
    if (timer[0] != null) {
      timer[0].cancel();
    }
  }

  /** Feeds stream events into a negotiation until it is done. */
  private static class NegotiatingHandler implements StreamHandler {
    private final MultistreamNegotiation n;

    NegotiatingHandler(MultistreamNegotiation n) {
      this.n = n;
    }

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      n.onData(data);
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {
      n.abort(NegotiationFailure.CLOSED, "remote closed its side during negotiation");
    }

    @Override
    public void onReset(MuxedStream stream, String reason) {
      n.abort(NegotiationFailure.CLOSED, "stream reset during negotiation: " + reason);
    }
  }
}
