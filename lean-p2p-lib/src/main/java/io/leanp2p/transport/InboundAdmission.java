package io.leanp2p.transport;

import io.leanp2p.util.Scheduler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import io.leanp2p.types.CloseReason;
import io.leanp2p.config.AdmissionConfig;

/**
 * Admission of inbound connections before they are authenticated, shared by the TCP and QUIC
 * transports of one network (see {@link AdmissionConfig} for the limits). A transport calls
 * {@link #admit} when it accepts a channel and {@link #upgraded} when the channel became a
 * connection; a channel that closes first is released by its close. Everything runs on the
 * network's event loop (no locks); {@link #counters()} is read from any thread.
 */
public final class InboundAdmission {
  private static final AttributeKey<Pending> TICKET = AttributeKey.valueOf(InboundAdmission.class, "pending");

  /**
   * Counters (any thread).
   *
   * @param admitted inbound connections let in
   * @param refusedPerIp refused: their IP already had {@code maxPendingPerIp} pending
   * @param refusedRate refused: their IP opened connections faster than its bucket allows
   * @param refusedUntracked refused: too many IPs tracked at once (a very wide attack)
   * @param evictedOldest pending connections closed to make room for a newer one
   * @param firstByteTimeouts TCP connections closed for sending nothing
   * @param pendingTimeouts connections closed for not finishing their upgrade in time
   * @param pending pending inbound connections now
   */
  public record Counters(
      long admitted,
      long refusedPerIp,
      long refusedRate,
      long refusedUntracked,
      long evictedOldest,
      long firstByteTimeouts,
      long pendingTimeouts,
      int pending) {}

  private final AdmissionConfig cfg;
  private final Scheduler sched;
  private final LinkedHashSet<Pending> pending = new LinkedHashSet<>(); // oldest first
  private final Map<String, Integer> pendingPerIp = new HashMap<>();
  private final Map<String, Bucket> buckets = new HashMap<>();
  private long admitted;
  private long refusedPerIp;
  private long refusedRate;
  private long refusedUntracked;
  private long evictedOldest;
  private long firstByteTimeouts;
  private long pendingTimeouts;
  private volatile Counters published = new Counters(0, 0, 0, 0, 0, 0, 0, 0);

  public InboundAdmission(AdmissionConfig cfg, Scheduler sched) {
    this.cfg = cfg;
    this.sched = sched;
  }

  public AdmissionConfig config() {
    return cfg;
  }

  public Counters counters() {
    return published;
  }

  /**
   * Decides on a newly accepted inbound channel from {@code remote}. Refused channels are closed
   * here ({@code REFUSED}) and false is returned; an admitted channel is watched: closed when it
   * stays pending past {@code pendingTimeout}, when (with {@code firstBytes}) it sends nothing
   * within {@code firstByteTimeout}, or when it is the oldest pending one and a newer one needs
   * its place. Event loop only.
   */
  public boolean admit(Channel ch, InetSocketAddress remote, boolean firstBytes) {
    InetAddress ip = remote == null ? null : remote.getAddress();
    boolean limited = ip != null && !(cfg.exemptLoopback() && ip.isLoopbackAddress());
    String key = limited ? key(ip) : null;
    if (limited) {
      if (pendingPerIp.getOrDefault(key, 0) >= cfg.maxPendingPerIp()) {
        refusedPerIp++;
        return refuse(ch, "too many pending connections from " + ip.getHostAddress());
      }
      Bucket b = bucket(key);
      if (b == null) {
        refusedUntracked++;
        return refuse(ch, "too many addresses connecting at once");
      }
      if (!b.take(sched.nanoTime())) {
        refusedRate++;
        return refuse(ch, "too many new connections from " + ip.getHostAddress());
      }
    }
    while (pending.size() >= cfg.maxPending()) {
      Pending oldest = pending.iterator().next();
      evictedOldest++;
      oldest.close(CloseReason.of(CloseReason.Kind.REFUSED, "pending connection limit (" + cfg.maxPending()
          + "): the oldest unauthenticated connection makes room"));
    }
    Pending p = new Pending(ch, key);
    pending.add(p);
    if (key != null) {
      pendingPerIp.merge(key, 1, Integer::sum);
    }
    admitted++;
    ch.attr(TICKET).set(p);
    ch.closeFuture().addListener(f -> p.release());
    long ms = cfg.pendingTimeout().toMillis();
    p.timer = sched.scheduleMillis(ms, () -> {
      if (!p.released) {
        pendingTimeouts++;
        p.close(CloseReason.of(CloseReason.Kind.TIMEOUT, "connection not upgraded within " + ms + " ms"));
      }
    });
    if (firstBytes) {
      p.watchFirstBytes();
    }
    publish();
    return true;
  }

  /** The channel's upgrade finished: it is a connection now and no longer pending. Event loop only. */
  public static void upgraded(Channel ch) {
    Pending p = ch.attr(TICKET).getAndSet(null);
    if (p != null) {
      p.release();
    }
  }

  private boolean refuse(Channel ch, String why) {
    publish();
    ChannelCloseReason.close(ch, CloseReason.of(CloseReason.Kind.REFUSED, why));
    return false;
  }

  /** IPv4: the address; IPv6: its /56 (one site's allocation, as go-libp2p groups them). */
  private static String key(InetAddress ip) {
    byte[] a = ip.getAddress();
    if (ip instanceof Inet6Address) {
      return "6:" + Arrays.toString(Arrays.copyOf(a, 7));
    }
    return "4:" + Arrays.toString(a);
  }

  /** The IP's bucket, creating it (and forgetting refilled ones when the table is full); null when full. */
  private Bucket bucket(String key) {
    Bucket b = buckets.get(key);
    if (b != null) {
      return b;
    }
    long now = sched.nanoTime();
    if (buckets.size() >= cfg.maxTrackedIps()) {
      for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
        if (it.next().isFull(now)) {
          it.remove();
        }
      }
      if (buckets.size() >= cfg.maxTrackedIps()) {
        return null;
      }
    }
    b = new Bucket(cfg.burstPerIp(), now);
    buckets.put(key, b);
    return b;
  }

  private void publish() {
    published = new Counters(admitted, refusedPerIp, refusedRate, refusedUntracked, evictedOldest,
        firstByteTimeouts, pendingTimeouts, pending.size());
  }

  /** A token bucket: {@code newPerIpPerSecond} tokens per second, at most {@code burstPerIp}. */
  private final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.last = now;
    }

    private void refill(long now) {
      tokens = Math.min(cfg.burstPerIp(), tokens + (now - last) * cfg.newPerIpPerSecond() / 1e9);
      last = now;
    }

    boolean take(long now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }

    boolean isFull(long now) {
      refill(now);
      return tokens >= cfg.burstPerIp();
    }
  }

  /** One pending inbound channel. */
  private final class Pending {
    final Channel ch;
    final String key;
    Scheduler.Cancellable timer;
    Scheduler.Cancellable firstByteTimer;
    boolean released;

    Pending(Channel ch, String key) {
      this.ch = ch;
      this.key = key;
    }

    void watchFirstBytes() {
      long ms = cfg.firstByteTimeout().toMillis();
      FirstBytes h = new FirstBytes();
      ch.pipeline().addFirst("first-bytes", h);
      firstByteTimer = sched.scheduleMillis(ms, () -> {
        if (!released && !h.seen) {
          firstByteTimeouts++;
          close(CloseReason.of(CloseReason.Kind.TIMEOUT, "nothing received within " + ms + " ms"));
        }
      });
    }

    void close(CloseReason r) {
      release();
      ChannelCloseReason.close(ch, r);
    }

    void release() {
      if (released) {
        return;
      }
      released = true;
      pending.remove(this);
      if (key != null) {
        pendingPerIp.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
      }
      if (timer != null) {
        timer.cancel();
      }
      if (firstByteTimer != null) {
        firstByteTimer.cancel();
      }
      publish();
    }

    /** Notes the first bytes and steps out of the pipeline. */
    private final class FirstBytes extends ChannelInboundHandlerAdapter {
      boolean seen;

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        seen = true;
        if (firstByteTimer != null) {
          firstByteTimer.cancel();
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(msg);
      }
    }
  }
}
