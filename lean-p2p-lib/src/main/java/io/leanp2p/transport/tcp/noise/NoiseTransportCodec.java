package io.leanp2p.transport.tcp.noise;

import io.leanp2p.transport.ChannelCloseReason;
import io.leanp2p.types.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
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
  /**
   * The one frame that straddles two reads: its 2-byte length, then its ciphertext gathered here
   * (allocated on the first straddle, at most {@code 2 + 65535} bytes). Whole frames inside a
   * read are decrypted where they are, with no cumulation.
   */
  private byte[] partial;
  /** Bytes of {@link #partial} filled; 0 when no frame is pending. */
  private int partialFill;
  private CompositeByteBuf pending;
  private final List<ChannelPromise> pendingPromises = new ArrayList<>();
  private boolean failed;

  public NoiseTransportCodec(CipherState sender, CipherState receiver) {
    this.sender = sender;
    this.receiver = receiver;
  }

  /**
   * Decrypts every complete frame of this read into one plaintext buffer passed on as one message.
   * A frame that continues into the next read is copied once into {@link #partial} (the only copy
   * of received bytes besides the decryption itself: direct socket buffers need one copy into an
   * array anyway, as the JDK's ChaCha20-Poly1305 is far faster on arrays).
   */
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
    ByteBuf out = null;
    try {
      if (partialFill >= 2 && partialFill + in.readableBytes() < 2 + frameLength()) {
        // the read only extends the pending frame: copy it there, no plaintext buffer for it
        int n = in.readableBytes();
        in.readBytes(partial, partialFill, n);
        partialFill += n;
        return;
      }
      out = ctx.alloc().heapBuffer(partialFill + in.readableBytes()); // >= all plaintext of this read
      if (partialFill > 0 && !completePartial(in, out)) {
        return; // everything went into the pending frame
      }
      while (in.readableBytes() >= 2) {
        int idx = in.readerIndex();
        int len = in.getUnsignedShort(idx);
        if (len < CipherState.TAG) {
          fail(ctx, "noise frame of " + len + " bytes is shorter than its tag");
          return;
        }
        if (in.readableBytes() < 2 + len) {
          break;
        }
        receiver.decrypt(in, idx + 2, len, out);
        in.skipBytes(2 + len);
      }
      int rest = in.readableBytes();
      if (rest > 0) {
        if (partial == null) {
          partial = new byte[2 + 65535];
        }
        in.readBytes(partial, 0, rest);
        partialFill = rest;
        if (rest >= 2 && frameLength() < CipherState.TAG) {
          fail(ctx, "noise frame of " + frameLength() + " bytes is shorter than its tag");
          return;
        }
      }
    } catch (NoiseException e) {
      fail(ctx, e.getMessage());
      return;
    } finally {
      in.release();
      if (failed && out != null) {
        out.release();
        out = null;
      }
      if (out != null) {
        if (out.isReadable()) {
          ctx.fireChannelRead(out);
        } else {
          out.release(); // frames with empty plaintext, or only a partial frame so far
        }
      }
    }
  }

  private int frameLength() {
    return ((partial[0] & 0xff) << 8) | (partial[1] & 0xff);
  }

  /**
   * Feeds {@code in} into the pending frame; decrypts it into {@code out} once whole.
   *
   * @return true when the frame was completed (the rest of {@code in} follows), false when
   *     {@code in} was used up
   */
  private boolean completePartial(ByteBuf in, ByteBuf out) throws NoiseException {
    if (partialFill < 2) {
      int n = Math.min(2 - partialFill, in.readableBytes());
      in.readBytes(partial, partialFill, n);
      partialFill += n;
      if (partialFill < 2) {
        return false;
      }
      if (frameLength() < CipherState.TAG) {
        throw new NoiseException("noise frame of " + frameLength() + " bytes is shorter than its tag");
      }
    }
    int total = 2 + frameLength();
    int n = Math.min(total - partialFill, in.readableBytes());
    in.readBytes(partial, partialFill, n);
    partialFill += n;
    if (partialFill < total) {
      return false;
    }
    partialFill = 0;
    receiver.decrypt(partial, 2, total - 2, out);
    return true;
  }

  /**
   * Encrypts {@code len} bytes of {@code plain} at {@code index}. When they lie inside one heap
   * component (the usual case: a Yamux frame's payload slice of a protocol's array), straight from
   * that component's array; only chunks that span components are gathered first.
   */
  private void encryptChunk(CompositeByteBuf plain, int index, int len, ByteBuf out)
      throws NoiseException {
    int c = plain.toComponentIndex(index);
    int start = plain.toByteIndex(c);
    ByteBuf comp = plain.internalComponent(c);
    if (comp.hasArray() && index + len <= start + comp.readableBytes()) {
      sender.encrypt(comp.array(), comp.arrayOffset() + comp.readerIndex() + (index - start), len, out);
    } else {
      sender.encrypt(plain, index, len, out);
    }
  }

  /** Capacity held for a frame that straddles reads (0 when none ever did), for tests. */
  int cumulationCapacity() {
    return partial == null ? 0 : partial.length;
  }

  private void fail(ChannelHandlerContext ctx, String detail) {
    failed = true;
    partialFill = 0;
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
      // one output buffer per frame (at most 64 KiB): sizes the pooled allocator reuses; a large
      // write (a 512 KiB block) otherwise took a fresh allocator chunk each time
      ByteBuf out = null;
      try {
        int idx = plain.readerIndex();
        while (n > 0) {
          int chunk = Math.min(n, MAX_PLAINTEXT);
          out = ctx.alloc().heapBuffer(2 + chunk + CipherState.TAG);
          out.writeShort(chunk + CipherState.TAG);
          encryptChunk(plain, idx, chunk, out);
          idx += chunk;
          n -= chunk;
          if (n > 0) {
            ctx.write(out, ctx.voidPromise());
            out = null;
          }
        }
      } catch (NoiseException e) {
        if (out != null) {
          out.release();
        }
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
    partialFill = 0;
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
