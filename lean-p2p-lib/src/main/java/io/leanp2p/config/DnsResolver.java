package io.leanp2p.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Resolves the DNS name of a {@code /dns}, {@code /dns4} or {@code /dns6} multiaddr. Called on a
 * network's event loop, it must not block it: the answer completes the future later, on any
 * thread (the caller hops back onto its loop). Injected through the network's configuration, so
 * tests resolve deterministically.
 */
@FunctionalInterface
public interface DnsResolver {
  /** Which addresses a name may resolve to: {@code /dns4} asks IPv4, {@code /dns6} IPv6, {@code /dns} either. */
  enum Family {
    IPV4,
    IPV6,
    ANY
  }

  /**
   * The addresses of {@code name} of the given family, in preference order; completes
   * exceptionally (e.g. {@link UnknownHostException}) or with an empty list when there are none.
   */
  CompletableFuture<List<InetAddress>> resolve(String name, Family family);

  /**
   * The system resolver ({@link InetAddress#getAllByName}), each lookup on a virtual thread of its
   * own: nothing shared between networks, nothing blocks the event loop.
   */
  static DnsResolver system() {
    return (name, family) -> {
      CompletableFuture<List<InetAddress>> f = new CompletableFuture<>();
      Thread.ofVirtual().name("lean-p2p-dns").start(() -> {
        try {
          f.complete(filter(InetAddress.getAllByName(name), family));
        } catch (UnknownHostException | RuntimeException e) {
          f.completeExceptionally(e);
        }
      });
      return f;
    };
  }

  /** The addresses of {@code all} that belong to {@code family}, in order. */
  static List<InetAddress> filter(InetAddress[] all, Family family) {
    List<InetAddress> out = new ArrayList<>();
    for (InetAddress a : all) {
      boolean v4 = a instanceof Inet4Address;
      if (family == Family.ANY || (family == Family.IPV4) == v4) {
        out.add(a);
      }
    }
    return out;
  }
}
