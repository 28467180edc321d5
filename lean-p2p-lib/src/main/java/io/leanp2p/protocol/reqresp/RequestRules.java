package io.leanp2p.protocol.reqresp;

/**
 * Per-protocol request checks shared by both sides. A request must have its type's SSZ shape
 * (leanSpec §4.9): {@code Status} is 80 bytes; {@code BlocksByRangeRequest} is 16 bytes ({@code
 * start_slot u64 || count u64}) with {@code 1 <= count <= 1024}; {@code BlocksByRootRequest} is a
 * container {@code offset u32 (= 4) || 32·n root bytes} with {@code n <= 1024}. These fixed shapes
 * are all the SSZ decoding the network layer needs (the host decodes the values), so they are
 * checked here directly. The result is the most response chunks the request allows. Rejection
 * messages are leanSpec's ({@code reqresp/handler.py}).
 */
final class RequestRules {
  private RequestRules() {}

  static final int STATUS_SIZE = 80;
  static final int RANGE_SIZE = 16;
  static final int ROOT_SIZE = 32;
  static final int MAX_ROOTS_REQUEST = 4 + ROOT_SIZE * ReqRespConfig.MAX_REQUEST_BLOCKS;

  /** A request that failed the rules, with the spec's INVALID_REQUEST message. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** The largest valid request SSZ of {@code p}: the request decoder's length limit. */
  static int maxRequestSize(LeanProtocol p) {
    return switch (p) {
      case STATUS -> STATUS_SIZE;
      case BLOCKS_BY_ROOT -> MAX_ROOTS_REQUEST;
      case BLOCKS_BY_RANGE -> RANGE_SIZE;
    };
  }

  /** Checks {@code ssz} as {@code p}'s request; returns the response chunk cap. */
  static int maxChunks(LeanProtocol p, byte[] ssz) throws Invalid {
    switch (p) {
      case STATUS -> {
        if (ssz.length != STATUS_SIZE) {
          throw new Invalid(invalidMessage(p));
        }
        return 1;
      }
      case BLOCKS_BY_ROOT -> {
        int n = ssz.length - 4;
        if (ssz.length < 4 || readU32(ssz, 0) != 4 || n % ROOT_SIZE != 0
            || n / ROOT_SIZE > ReqRespConfig.MAX_REQUEST_BLOCKS) {
          throw new Invalid(invalidMessage(p));
        }
        return n / ROOT_SIZE;
      }
      case BLOCKS_BY_RANGE -> {
        if (ssz.length != RANGE_SIZE) {
          throw new Invalid(invalidMessage(p));
        }
        long count = readU64(ssz, 8);
        if (count == 0 || Long.compareUnsigned(count, ReqRespConfig.MAX_REQUEST_BLOCKS) > 0) {
          throw new Invalid("Invalid count");
        }
        return (int) count;
      }
      default -> throw new IllegalArgumentException(String.valueOf(p));
    }
  }

  /** The number of blocks a request asks for (rate limiting); 0 for status. */
  static long requestedBlocks(LeanProtocol p, int maxChunks) {
    return p == LeanProtocol.STATUS ? 0 : maxChunks;
  }

  static String invalidMessage(LeanProtocol p) {
    return switch (p) {
      case STATUS -> "Invalid Status message";
      case BLOCKS_BY_ROOT -> "Invalid BlocksByRootRequest message";
      case BLOCKS_BY_RANGE -> "Invalid BlocksByRangeRequest message";
    };
  }

  private static long readU32(byte[] b, int off) {
    return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16
        | (b[off + 3] & 0xffL) << 24;
  }

  private static long readU64(byte[] b, int off) {
    return readU32(b, off) | readU32(b, off + 4) << 32;
  }
}
