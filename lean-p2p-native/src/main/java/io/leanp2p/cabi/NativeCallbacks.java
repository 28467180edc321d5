package io.leanp2p.cabi;

/**
 * The host's C callbacks, as seen from Java. liblean_p2p.so implements these methods and
 * registers them ({@code RegisterNatives}) right after it created the JVM; each one forwards to
 * the function pointer the host gave for the network identified by {@code handle} (slot and
 * generation of the network in the library's table), unless that network is being stopped.
 *
 * <p>Called only on a network's delivery thread (log lines: on the log thread). Byte arrays and
 * strings are copied into C buffers that live for the host call only. Free text (messages,
 * details) travels as UTF-8 bytes so the host gets exact UTF-8.
 */
final class NativeCallbacks {
  private NativeCallbacks() {}

  /** Returns the host's verdict ({@code lean_p2p_validation}). */
  static native int gossip(long handle, String topic, byte[] ssz, byte[] messageId, String from);

  static native void inboundRequest(long handle, long channelId, String peer, int protocol, byte[] ssz);

  static native void responseChunk(long handle, long requestId, long requestCtx, String peer, int protocol, byte[] ssz);

  static native void endOfStream(long handle, long requestId, long requestCtx, String peer, int protocol);

  static native void requestFailed(
      long handle, long requestId, long requestCtx, String peer, int protocol, int failure, int wireCode,
      byte[] message);

  static native void channelClosed(long handle, long channelId, String peer, byte[] reason);

  static native void peerConnected(long handle, String peer, String address, int direction, int transport);

  static native void peerDisconnected(
      long handle, String peer, String address, int direction, int reason, byte[] detail);

  static native void connectionFailed(
      long handle, String peer, String address, int reason, int attempt, boolean willRetry, byte[] detail);

  static native void dialGaveUp(long handle, String peer, String address, int attempts);

  static native void peerSubscription(long handle, String peer, String topic, boolean subscribed);

  static native void meshChange(long handle, String peer, String topic, boolean grafted);

  static native void publishCompleted(long handle, String topic, byte[] messageId, int recipients, boolean duplicate);

  static native void ping(long handle, String peer, long rttNanos, byte[] error);

  /** Returns false when the network's gate was already closed (the adapter then logs it). */
  static native boolean commandAbandoned(long handle, int command, String target, long channelId, byte[] reason);

  /** One log line for the host's {@code on_log} (or stderr). Log thread only. */
  static native void log(int level, byte[] utf8);
}
