package io.leanp2p.config;

/**
 * Bounds applied while decoding one RPC, checked before anything is allocated for the counted
 * item. An RPC over any bound is rejected as a whole ({@code DecodeException.Reason.TOO_LARGE}).
 *
 * @param maxRpcSize bytes of one encoded RPC (the stream frame limit); default 10 MiB (leanSpec
 *     {@code MAX_PAYLOAD_SIZE}) plus {@link #FRAME_OVERHEAD} for the protobuf envelope
 * @param maxSubscriptions SubOpts entries per RPC (Teku 200, js 5000, go and rust unlimited unless
 *     a subscription filter is set; lean default 200: a lean node has a handful of topics plus its
 *     attestation subnets)
 * @param maxMessages published messages per RPC (Teku 1000, js 5000)
 * @param maxControlEntries IHAVE + IWANT + GRAFT + PRUNE + IDONTWANT entries per RPC (js 5000)
 * @param maxMessageIds message ids across all IHAVE / IWANT / IDONTWANT entries of one RPC
 *     (js: 5000 per IHAVE and IWANT, 512 per IDONTWANT; Teku 5000 per kind; leanSpec processes
 *     5000 per IWANT)
 */
public record RpcLimits(
    int maxRpcSize, int maxSubscriptions, int maxMessages, int maxControlEntries, int maxMessageIds) {

  /** leanSpec {@code MAX_PAYLOAD_SIZE}: 10 MiB. */
  public static final int MAX_PAYLOAD_SIZE = 10 * 1024 * 1024;

  /** Room for the protobuf envelope around a maximal payload (topic, tags, lengths). */
  public static final int FRAME_OVERHEAD = 64 * 1024;

  /** The lean defaults. */
  public static final RpcLimits DEFAULT =
      new RpcLimits(MAX_PAYLOAD_SIZE + FRAME_OVERHEAD, 200, 1000, 5000, 15_000);

  public RpcLimits {
    if (maxRpcSize < 0 || maxSubscriptions < 0 || maxMessages < 0 || maxControlEntries < 0 || maxMessageIds < 0) {
      throw new IllegalArgumentException("limits must be >= 0");
    }
  }
}
