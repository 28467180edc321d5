package io.leanp2p.protocol.reqresp;

import io.leanp2p.lean.BlocksByRangeRequest;
import io.leanp2p.lean.BlocksByRootRequest;
import io.leanp2p.lean.Status;
import io.leanp2p.util.DecodeException;
import io.leanp2p.lean.LeanProtocol;

/**
 * Per-protocol request checks shared by both sides: a request must decode as its protocol's SSZ
 * container from the lean vocabulary ({@link Status}, {@link BlocksByRootRequest}, {@link
 * BlocksByRangeRequest}), and a range asks for {@code 1 <= count <= MAX_REQUEST_BLOCKS} blocks.
 * The result is the most response chunks the request allows. Rejection messages are leanSpec's
 * ({@code reqresp/handler.py}).
 */
final class RequestRules {
  private RequestRules() {}

  /** A request that failed the rules, with the spec's INVALID_REQUEST message. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** The largest valid request SSZ of {@code p}: the request decoder's length limit. */
  static int maxRequestSize(LeanProtocol p) {
    return switch (p) {
      case STATUS -> Status.SIZE;
      case BLOCKS_BY_ROOT -> BlocksByRootRequest.MAX_SIZE;
      case BLOCKS_BY_RANGE -> BlocksByRangeRequest.SIZE;
    };
  }

  /** Checks {@code ssz} as {@code p}'s request; returns the response chunk cap. */
  static int maxChunks(LeanProtocol p, byte[] ssz) throws Invalid {
    try {
      return switch (p) {
        case STATUS -> {
          Status.decode(ssz);
          yield 1;
        }
        case BLOCKS_BY_ROOT -> BlocksByRootRequest.decode(ssz).roots().size();
        case BLOCKS_BY_RANGE -> {
          long count = BlocksByRangeRequest.decode(ssz).count();
          if (count == 0 || Long.compareUnsigned(count, BlocksByRangeRequest.MAX_COUNT) > 0) {
            throw new Invalid("Invalid count");
          }
          yield (int) count;
        }
      };
    } catch (DecodeException e) {
      throw new Invalid(invalidMessage(p));
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
}
