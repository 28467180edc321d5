package io.leanp2p.protocol.ping;

import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.ProtocolHandler;
import io.leanp2p.transport.multistream.ProtocolRegistry;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * libp2p ping ({@code /ipfs/ping/1.0.0}): the responder echoes every 32 bytes it receives; the
 * requester sends 32 random bytes and measures the time until the same bytes come back. Runs on
 * the connection's event loop.
 */
public final class Ping {
  public static final String PROTOCOL = "/ipfs/ping/1.0.0";
  public static final int SIZE = 32;

  private final Scheduler sched;
  private final Random random;
  private final long timeoutMillis;
  private long served;

  /**
   * @param random source of the ping payloads (injected for determinism)
   * @param timeoutMillis bound on negotiation plus the round trip
   */
  public Ping(Scheduler sched, Random random, long timeoutMillis) {
    this.sched = sched;
    this.random = random;
    this.timeoutMillis = timeoutMillis;
  }

  /** Serves ping on inbound streams. */
  public void register(ProtocolRegistry registry) {
    registry.register(PROTOCOL, responder());
  }

  /** The responder: echoes every 32 bytes of each inbound ping stream. */
  public ProtocolHandler responder() {
    return (s, leftover) -> {
      Responder r = new Responder();
      s.handler(r);
      if (leftover.isReadable()) {
        r.onData(s, leftover);
      } else {
        leftover.release();
      }
    };
  }

  /** Pings answered (owner thread). */
  public long served() {
    return served;
  }

  /** Echoes whole 32-byte pings; keeps at most 31 bytes between reads. */
  private final class Responder implements StreamHandler {
    private final byte[] partial = new byte[SIZE];
    private int have;

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      try {
        while (data.isReadable()) {
          int n = Math.min(SIZE - have, data.readableBytes());
          data.readBytes(partial, have, n);
          have += n;
          if (have == SIZE) {
            have = 0;
            served++;
            s.write(s.alloc().buffer(SIZE).writeBytes(partial));
          }
        }
      } finally {
        data.release();
      }
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      s.closeWrite();
    }
  }

  /** Measures one round trip on a new stream; the future fails on timeout or a wrong echo. */
  public Future<Duration> ping(Connection c) {
    Promise<Duration> result = ImmediateEventExecutor.INSTANCE.newPromise();
    byte[] payload = new byte[SIZE];
    random.nextBytes(payload);
    Scheduler.Cancellable timer =
        sched.scheduleMillis(timeoutMillis, () -> result.tryFailure(new java.util.concurrent.TimeoutException("ping timed out")));
    result.addListener(f -> timer.cancel());
    c.openStream()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                result.tryFailure(f.cause());
                return;
              }
              MuxedStream s = (MuxedStream) f.getNow();
              result.addListener(x -> {
                if (!x.isSuccess()) {
                  s.reset();
                }
              });
              long[] start = new long[1];
              StreamNegotiator.select(
                  s,
                  List.of(PROTOCOL),
                  sched,
                  timeoutMillis,
                  new StreamNegotiator.SelectCallback() {
                    @Override
                    public void selected(MuxedStream st, String protocol, ByteBuf leftover) {
                      Echo e = new Echo(payload, start, result);
                      st.handler(e);
                      if (leftover.isReadable()) {
                        e.onData(st, leftover);
                      } else {
                        leftover.release();
                      }
                    }

                    @Override
                    public void failed(MuxedStream st, String reason) {
                      result.tryFailure(new IllegalStateException("ping negotiation failed: " + reason));
                    }
                  });
              start[0] = sched.nanoTime();
              s.write(s.alloc().buffer(SIZE).writeBytes(payload));
            });
    return result;
  }

  private final class Echo implements StreamHandler {
    private final byte[] expected;
    private final long[] start;
    private final Promise<Duration> result;
    private final byte[] got = new byte[SIZE];
    private int have;

    Echo(byte[] expected, long[] start, Promise<Duration> result) {
      this.expected = expected;
      this.start = start;
      this.result = result;
    }

    @Override
    public void onData(MuxedStream s, ByteBuf data) {
      try {
        int n = Math.min(SIZE - have, data.readableBytes());
        data.readBytes(got, have, n);
        have += n;
        if (data.isReadable()) {
          result.tryFailure(new IllegalStateException("ping: more than 32 bytes echoed"));
          return;
        }
        if (have == SIZE) {
          long rtt = sched.nanoTime() - start[0];
          if (java.util.Arrays.equals(got, expected)) {
            s.closeWrite();
            result.trySuccess(Duration.ofNanos(rtt));
          } else {
            result.tryFailure(new IllegalStateException("ping: wrong echo " + ByteBufUtil.hexDump(got)));
          }
        }
      } finally {
        data.release();
      }
    }

    @Override
    public void onReset(MuxedStream s, String reason) {
      result.tryFailure(new IllegalStateException("ping stream reset: " + reason));
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      if (!result.isDone()) {
        result.tryFailure(new IllegalStateException("ping stream closed before the echo"));
      }
    }
  }
}
