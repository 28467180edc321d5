package io.leanp2p.transport.tcp.yamux;

import io.leanp2p.transport.ConnectionInfo;
import io.leanp2p.types.Direction;
import io.leanp2p.transport.EnumCounters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.leanp2p.config.YamuxConfig;

/** Two Yamux sessions on EmbeddedChannels; {@link #shuttle()} moves bytes until quiet. */
final class YamuxPair {
  final EnumCounters<YamuxError> errors = new EnumCounters<>(YamuxError.class);
  final YamuxSession client;
  final YamuxSession server;
  final EmbeddedChannel cch;
  final EmbeddedChannel sch;

  YamuxPair(YamuxConfig cfg) {
    client = new YamuxSession(new ConnectionInfo(null, null, null, Direction.OUTBOUND), cfg, errors);
    server = new YamuxSession(new ConnectionInfo(null, null, null, Direction.INBOUND), cfg, errors);
    cch = new EmbeddedChannel(client);
    sch = new EmbeddedChannel(server);
  }

  YamuxPair() {
    this(YamuxConfig.defaults());
  }

  /** Moves all written bytes across, both ways, until nothing moves; returns bytes moved. */
  long shuttle() {
    long moved = 0;
    boolean any = true;
    while (any) {
      any = false;
      cch.runPendingTasks();
      sch.runPendingTasks();
      ByteBuf b;
      while ((b = cch.readOutbound()) != null) {
        moved += b.readableBytes();
        any = true;
        if (sch.isActive()) {
          sch.writeInbound(b);
        } else {
          b.release();
        }
      }
      while ((b = sch.readOutbound()) != null) {
        moved += b.readableBytes();
        any = true;
        if (cch.isActive()) {
          cch.writeInbound(b);
        } else {
          b.release();
        }
      }
    }
    return moved;
  }

  void finish() {
    shuttle();
    cch.finishAndReleaseAll();
    sch.finishAndReleaseAll();
  }
}
