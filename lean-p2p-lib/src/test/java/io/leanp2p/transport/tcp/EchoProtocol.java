package io.leanp2p.transport.tcp;

import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.ProtocolHandler;
import io.netty.buffer.ByteBuf;

/**
 * Test protocol {@code /leanp2p/test/echo/1.0.0} (as the js peer serves it): echoes every byte,
 * pausing reads while the stream is not writable, and closes its write side after the remote's.
 */
public final class EchoProtocol implements ProtocolHandler {
  public static final String ID = "/leanp2p/test/echo/1.0.0";

  @Override
  public void onStream(MuxedStream stream, ByteBuf leftover) {
    StreamHandler h =
        new StreamHandler() {
          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            s.write(data);
            if (!s.isWritable()) {
              s.setReadPaused(true);
            }
          }

          @Override
          public void onWritabilityChanged(MuxedStream s) {
            s.setReadPaused(!s.isWritable());
          }

          @Override
          public void onRemoteClose(MuxedStream s) {
            s.closeWrite();
          }
        };
    stream.handler(h);
    if (leftover.isReadable()) {
      h.onData(stream, leftover);
    } else {
      leftover.release();
    }
  }
}
