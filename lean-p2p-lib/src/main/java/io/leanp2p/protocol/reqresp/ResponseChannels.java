package io.leanp2p.protocol.reqresp;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The byte budget of every open response channel of one {@link ReqResp}: the one bound on what a
 * channel may hold before its stream takes it. It is the only part of req/resp that other threads
 * touch: a host thread reserves the bytes of a chunk here <em>before</em> its command travels to
 * the event loop, so that an accepted chunk always fits the channel's queue and nothing waits
 * anywhere else; the loop releases the bytes when the stream takes the chunk.
 *
 * <p>A reservation succeeds when the channel holds nothing yet (so a single chunk of any allowed
 * size always fits) or when it stays within {@link ReqRespConfig#maxQueuedBytesPerChannel()}.
 * Channels are registered before the host hears of them and removed when they finish.
 */
public final class ResponseChannels {
  /** The answer to a reservation. */
  public enum Reservation {
    /** Reserved: the chunk will fit. */
    OK,
    /** The channel's queue is full: wait for the stream, or give up. */
    FULL,
    /** No such open channel (never opened, or finished). */
    UNKNOWN
  }

  private final long maxBytes;
  private final ConcurrentHashMap<Long, AtomicLong> queued = new ConcurrentHashMap<>();

  public ResponseChannels(long maxBytesPerChannel) {
    if (maxBytesPerChannel < 1) {
      throw new IllegalArgumentException("maxBytesPerChannel must be >= 1");
    }
    this.maxBytes = maxBytesPerChannel;
  }

  /** Whether the host may still answer on the channel (any thread). */
  public boolean isOpen(long channelId) {
    return queued.containsKey(channelId);
  }

  /** Reserves room for a chunk of {@code bytes} (any thread, lock-free). */
  public Reservation tryReserve(long channelId, int bytes) {
    AtomicLong q = queued.get(channelId);
    if (q == null) {
      return Reservation.UNKNOWN;
    }
    while (true) {
      long c = q.get();
      if (c > 0 && c + bytes > maxBytes) {
        return Reservation.FULL;
      }
      if (q.compareAndSet(c, c + bytes)) {
        return Reservation.OK;
      }
    }
  }

  /** Gives back what a chunk reserved: the stream took it, or it was refused. */
  public void release(long channelId, int bytes) {
    AtomicLong q = queued.get(channelId);
    if (q != null) {
      q.addAndGet(-bytes);
    }
  }

  /** Bytes reserved on the channel (0 when unknown). */
  public long queuedBytes(long channelId) {
    AtomicLong q = queued.get(channelId);
    return q == null ? 0 : q.get();
  }

  /** Open channels. */
  public int openCount() {
    return queued.size();
  }

  void open(long channelId) {
    queued.put(channelId, new AtomicLong());
  }

  void close(long channelId) {
    queued.remove(channelId);
  }
}
