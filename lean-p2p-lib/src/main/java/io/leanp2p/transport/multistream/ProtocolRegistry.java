package io.leanp2p.transport.multistream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The protocols one network serves on inbound streams, in registration order, plus counters of
 * the inbound negotiations run against it. Owned by the network's event loop: register handlers
 * before the network starts (or on the loop); other threads read only {@link #stats()}.
 */
public final class ProtocolRegistry {
  private final Map<String, ProtocolHandler> handlers = new LinkedHashMap<>();
  private long negotiated;
  private final long[] failures = new long[NegotiationFailure.values().length];
  private volatile Stats published = new Stats(0, new long[failures.length]);

  /** Registers (or replaces) the handler of {@code protocolId}. */
  public void register(String protocolId, ProtocolHandler handler) {
    if (protocolId == null
        || !protocolId.startsWith("/")
        || protocolId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1
            > Multistream.MAX_MESSAGE) {
      throw new IllegalArgumentException("bad protocol id: " + protocolId);
    }
    handlers.put(protocolId, java.util.Objects.requireNonNull(handler));
  }

  /** Removes the handler of {@code protocolId}, if any. */
  public void unregister(String protocolId) {
    handlers.remove(protocolId);
  }

  public Optional<ProtocolHandler> get(String id) {
    return Optional.ofNullable(handlers.get(id));
  }

  /** The registered protocol ids, in registration order (a copy). */
  public List<String> protocols() {
    return new ArrayList<>(handlers.keySet());
  }

  void countNegotiated() {
    negotiated++;
    publish();
  }

  void countFailure(NegotiationFailure f) {
    failures[f.ordinal()]++;
    publish();
  }

  private void publish() {
    published = new Stats(negotiated, failures.clone());
  }

  /** An immutable snapshot of the inbound negotiation counters; safe from any thread. */
  public Stats stats() {
    return published;
  }

  /** Inbound negotiation counters. */
  public static final class Stats {
    private final long negotiated;
    private final long[] failures;

    Stats(long negotiated, long[] failures) {
      this.negotiated = negotiated;
      this.failures = failures;
    }

    /** Inbound streams handed to a handler. */
    public long negotiated() {
      return negotiated;
    }

    /** Inbound negotiations that failed for {@code f}. */
    public long failures(NegotiationFailure f) {
      return failures[f.ordinal()];
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("negotiated=").append(negotiated);
      for (NegotiationFailure f : NegotiationFailure.values()) {
        if (failures[f.ordinal()] > 0) {
          sb.append(' ').append(f).append('=').append(failures[f.ordinal()]);
        }
      }
      return sb.toString();
    }
  }
}
