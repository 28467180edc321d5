package io.leanp2p.transport.tcp.noise;

import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.transport.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Noise transport messages after the handshake: inbound {@code u16 length || ciphertext} frames
 * are decrypted and passed on (one plaintext buffer per read); outbound writes are gathered until
 * flush and encrypted into frames of at most 65535 bytes (65519 plaintext + 16 tag). A bad frame
 * closes the connection with a typed reason; it never throws out of the pipeline.
 */
public final class NoiseTransportCodec extends ChannelDuplexHandler {
  /** Largest plaintext per frame. */
  public static final int MAX_PLAINTEXT = 65535 - CipherState.TAG;

  private final CipherState sender;
  private final CipherState receiver;
  private ByteBuf cumulation;
  private CompositeByteBuf pending;
  private final List<ChannelPromise> pendingPromises = new ArrayList<>();
  private boolean failed;

  public NoiseTransportCodec(CipherState sender, CipherState receiver) {
    this.sender = sender;
    this.receiver = receiver;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (failed) {
      in.release();
      return;
    }
    cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
    ByteBuf out = null;
    try {
      while (cumulation.readableBytes() >= 2) {
        int idx = cumulation.readerIndex();
        int len = cumulation.getUnsignedShort(idx);
        if (len < CipherState.TAG) {
          fail(ctx, "noise frame of " + len + " bytes is shorter than its tag");
          return;
        }
        if (cumulation.readableBytes() < 2 + len) {
          break;
        }
        if (out == null) {
          out = ctx.alloc().heapBuffer(cumulation.readableBytes()); // >= all plaintext of this read
        }
        receiver.decrypt(cumulation, idx + 2, len, out);
        cumulation.skipBytes(2 + len);
      }
    } catch (NoiseException e) {
      fail(ctx, e.getMessage());
      return;
    } finally {
      if (cumulation != null && !cumulation.isReadable()) {
        cumulation.release();
        cumulation = null;
      } else if (cumulation != null && cumulation.refCnt() == 1) {
        // a partial frame stays: without compaction a steady stream grows the buffer without end
        // (each append past its capacity reallocates and copies everything)
        cumulation.discardSomeReadBytes();
      }
      if (failed && out != null) {
        out.release();
        out = null;
      }
    }
    if (out != null) {
      if (out.isReadable()) {
        ctx.fireChannelRead(out);
      } else {
        out.release(); // frames with empty plaintext
      }
    }
  }

  /** Capacity of the buffer holding a partial frame between reads (0 when none), for tests. */
  int cumulationCapacity() {
    return cumulation == null ? 0 : cumulation.capacity();
  }

  private void fail(ChannelHandlerContext ctx, String detail) {
    failed = true;
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
    ChannelCloseReason.close(ctx.channel(), CloseReason.of(CloseReason.Kind.PROTOCOL_ERROR, "noise: " + detail));
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf b)) {
      ctx.write(msg, promise);
      return;
    }
    if (failed) {
      b.release();
      promise.tryFailure(new IllegalStateException("noise session failed"));
      return;
    }
    if (pending == null) {
      pending = ctx.alloc().compositeBuffer(1024);
    }
    pending.addComponent(true, b);
    if (!promise.isVoid()) {
      pendingPromises.add(promise);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (pending != null && pending.isReadable()) {
      CompositeByteBuf plain = pending;
      pending = null;
      List<ChannelPromise> promises = new ArrayList<>(pendingPromises);
      pendingPromises.clear();
      int n = plain.readableBytes();
      int frames = (n + MAX_PLAINTEXT - 1) / MAX_PLAINTEXT;
      ByteBuf out = ctx.alloc().heapBuffer(n + frames * (2 + CipherState.TAG));
      try {
        int idx = plain.readerIndex();
        while (n > 0) {
          int chunk = Math.min(n, MAX_PLAINTEXT);
          out.writeShort(chunk + CipherState.TAG);
          sender.encrypt(plain, idx, chunk, out);
          idx += chunk;
          n -= chunk;
        }
      } catch (NoiseException e) {
        out.release();
        plain.release();
        for (ChannelPromise p : promises) {
          p.tryFailure(e);
        }
        fail(ctx, e.getMessage());
        return;
      }
      plain.release();
      if (promises.isEmpty()) {
        ctx.write(out, ctx.voidPromise());
      } else if (promises.size() == 1) {
        ctx.write(out, promises.get(0));
      } else {
        ctx.write(out)
            .addListener(
                f -> {
                  for (ChannelPromise p : promises) {
                    if (f.isSuccess()) {
                      p.trySuccess();
                    } else {
                      p.tryFailure(f.cause());
                    }
                  }
                });
      }
    } else if (pending != null) {
      pending.release();
      pending = null;
      for (ChannelPromise p : pendingPromises) {
        p.trySuccess();
      }
      pendingPromises.clear();
    }
    ctx.flush();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    flush(ctx);
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handlerRemoved(ctx);
    for (ChannelPromise p : pendingPromises) {
      p.tryFailure(new java.nio.channels.ClosedChannelException());
    }
    pendingPromises.clear();
    ctx.fireChannelInactive();
  }
}
