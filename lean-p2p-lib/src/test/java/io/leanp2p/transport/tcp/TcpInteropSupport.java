package io.leanp2p.transport.tcp;

import io.leanp2p.transport.Connection;
import io.leanp2p.transport.tcp.yamux.YamuxSession;
import io.leanp2p.util.Scheduler;
import io.netty.util.concurrent.Future;

/** Test helpers from this package for the interop tests. */
public final class TcpInteropSupport {
  private TcpInteropSupport() {}

  /** See {@link EchoClient}: completes with SHA-256 of the echoed bytes. */
  public static Future<byte[]> echo(Connection c, Scheduler sched, byte[] data, int chunk) {
    return EchoClient.run(c, sched, data, chunk);
  }

  public static int openStreams(Connection c) {
    return ((YamuxSession) c).streamCount();
  }
}
