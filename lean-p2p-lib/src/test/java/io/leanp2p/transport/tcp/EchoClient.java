package io.leanp2p.transport.tcp;

import io.leanp2p.transport.Connection;
import io.leanp2p.transport.MuxedStream;
import io.leanp2p.transport.StreamHandler;
import io.leanp2p.transport.multistream.StreamNegotiator;
import io.leanp2p.util.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.security.MessageDigest;
import java.util.List;

/**
 * Sends {@code data} on a new echo stream in chunks (respecting writability), closes the write
 * side and completes with the SHA-256 of everything echoed back once the remote closed its side.
 * Call on the connection's loop.
 */
final class EchoClient {
  private EchoClient() {}

  static Future<byte[]> run(Connection c, Scheduler sched, byte[] data, int chunk) {
    Promise<byte[]> result = ImmediateEventExecutor.INSTANCE.newPromise();
    c.openStream()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                result.tryFailure(f.cause());
                return;
              }
              MuxedStream s = (MuxedStream) f.getNow();
              StreamNegotiator.select(
                  s,
                  List.of(EchoProtocol.ID),
                  sched,
                  10_000,
                  new StreamNegotiator.SelectCallback() {
                    @Override
                    public void selected(MuxedStream st, String protocol, ByteBuf leftover) {
                      Handler h = new Handler(data, chunk, result);
                      st.handler(h);
                      h.onData(st, leftover);
                      h.pump(st);
                    }

                    @Override
                    public void failed(MuxedStream st, String reason) {
                      result.tryFailure(new IllegalStateException(reason));
                    }
                  });
            });
    return result;
  }

  private static final class Handler implements StreamHandler {
    final byte[] data;
    final int chunk;
    final Promise<byte[]> result;
    final MessageDigest sha;
    int sent;
    long received;

    Handler(byte[] data, int chunk, Promise<byte[]> result) {
      this.data = data;
      this.chunk = chunk;
      this.result = result;
      try {
        this.sha = MessageDigest.getInstance("SHA-256");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    void pump(MuxedStream s) {
      while (sent < data.length && s.isWritable()) {
        int n = Math.min(chunk, data.length - sent);
        s.write(s.alloc().buffer(n).writeBytes(data, sent, n));
        sent += n;
      }
      if (sent == data.length) {
        s.closeWrite();
      }
    }

    @Override
    public void onData(MuxedStream s, ByteBuf b) {
      try {
        received += b.readableBytes();
        sha.update(b.nioBuffer());
      } finally {
        b.release();
      }
    }

    @Override
    public void onWritabilityChanged(MuxedStream s) {
      pump(s);
    }

    @Override
    public void onRemoteClose(MuxedStream s) {
      if (received != data.length) {
        result.tryFailure(new IllegalStateException("echo returned " + received + " of " + data.length + " bytes"));
      } else {
        result.trySuccess(sha.digest());
      }
    }

    @Override
    public void onReset(MuxedStream s, String reason) {
      result.tryFailure(new IllegalStateException("echo stream reset: " + reason));
    }
  }
}
