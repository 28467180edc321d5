package io.leanp2p.cabi;

import io.leanp2p.node.Outcome;
import io.leanp2p.node.StartException;
import io.leanp2p.lean.LeanProtocol;
import io.leanp2p.types.RequestError;
import io.leanp2p.types.CloseReason;
import io.leanp2p.types.Direction;
import io.leanp2p.types.TransportKind;

/**
 * The numbers of {@code include/lean_p2p.h}, and the mapping of the host API's enums to them.
 * {@code CodesTest} checks every constant here against the header, so the two cannot drift apart.
 *
 * <p>Library enums are mapped by name with an {@code OTHER} fallback, so a kind added to the
 * library reaches C hosts as {@code OTHER} until it is given a number here and in the header.
 */
final class Codes {
  private Codes() {}

  // lean_p2p_outcome
  static final int ACCEPTED = 0;
  static final int QUEUE_FULL = 1;
  static final int CLOSED = 2;
  static final int NOT_STARTED = 3;
  static final int INVALID = 4;
  static final int NOT_CONNECTED = 5;
  static final int TOO_LARGE = 6;
  static final int TOO_MANY_REQUESTS = 7;
  static final int INTERNAL_ERROR = 8;

  // lean_p2p_start_code
  static final int START_OK = 0;
  static final int START_KEY = 1;
  static final int START_ADDRESS = 2;
  static final int START_BIND = 3;
  static final int START_INVALID = 5;
  static final int START_TIMEOUT = 8;
  static final int START_CLOSED = 9;
  static final int START_INTERNAL = 11;

  // lean_p2p_protocol (the seed's tags)
  static final int BLOCKS_BY_ROOT = 0;
  static final int STATUS = 1;
  static final int BLOCKS_BY_RANGE = 2;

  // lean_p2p_validation
  static final int VALIDATION_ACCEPT = 0;
  static final int VALIDATION_REJECT = 1;
  static final int VALIDATION_IGNORE = 2;
  static final int VALIDATION_DEFER = 3;

  // lean_p2p_direction, lean_p2p_transport
  static final int INBOUND = 0;
  static final int OUTBOUND = 1;
  static final int TCP = 0;
  static final int QUIC = 1;

  // lean_p2p_close_reason
  static final int CLOSE_TIMEOUT = 0;
  static final int CLOSE_REMOTE = 1;
  static final int CLOSE_LOCAL = 2;
  static final int CLOSE_IO_ERROR = 3;
  static final int CLOSE_PEER_ID_MISMATCH = 4;
  static final int CLOSE_HANDSHAKE_FAILED = 5;
  static final int CLOSE_PROTOCOL_ERROR = 6;
  static final int CLOSE_REFUSED = 7;
  static final int CLOSE_CONNECTION_REFUSED = 8;
  static final int CLOSE_UNRESOLVABLE = 9;
  static final int CLOSE_OTHER = 10;

  // lean_p2p_rpc_failure
  static final int RPC_WIRE_ERROR = 0;
  static final int RPC_TIMEOUT = 1;
  static final int RPC_PROTOCOL_VIOLATION = 2;
  static final int RPC_STREAM_RESET = 3;
  static final int RPC_DISCONNECTED = 4;
  static final int RPC_NEGOTIATION_FAILED = 5;
  static final int RPC_CLOSED = 6;
  static final int RPC_NOT_CONNECTED = 7;
  static final int RPC_SHED = 8;
  static final int RPC_OTHER = 9;

  // lean_p2p_command (what on_command_abandoned reports)
  static final int CMD_PUBLISH = 0;
  static final int CMD_SUBSCRIBE = 1;
  static final int CMD_UNSUBSCRIBE = 2;
  static final int CMD_DISCONNECT = 3;
  static final int CMD_RESPONSE_CHUNK = 4;
  static final int CMD_END_OF_STREAM = 5;
  static final int CMD_ERROR_RESPONSE = 6;
  static final int CMD_REPORT_VALIDATION = 7;
  static final int CMD_OTHER = 8;

  // lean_p2p_log_level
  static final int LOG_DEBUG = 1;
  static final int LOG_INFO = 2;
  static final int LOG_WARN = 3;
  static final int LOG_ERROR = 4;

  // LEAN_P2P_FLAG_*
  static final int FLAG_PUBLISH_EVENTS = 1;
  static final int FLAG_NO_RECONNECT = 2;

  static int outcome(Outcome.Kind kind) {
    return switch (kind.name()) {
      case "ACCEPTED" -> ACCEPTED;
      case "QUEUE_FULL" -> QUEUE_FULL;
      case "CLOSED" -> CLOSED;
      case "NOT_STARTED" -> NOT_STARTED;
      case "INVALID" -> INVALID;
      case "NOT_CONNECTED" -> NOT_CONNECTED;
      case "TOO_LARGE" -> TOO_LARGE;
      case "TOO_MANY_REQUESTS" -> TOO_MANY_REQUESTS;
      default -> INVALID;
    };
  }

  /** The {@code lean_p2p_command} of a {@code NetworkEvent.CommandAbandoned#command()} name. */
  static int command(String leanNetworkMethod) {
    return switch (String.valueOf(leanNetworkMethod)) {
      case "publish" -> CMD_PUBLISH;
      case "subscribe" -> CMD_SUBSCRIBE;
      case "unsubscribe" -> CMD_UNSUBSCRIBE;
      case "disconnect" -> CMD_DISCONNECT;
      case "sendResponseChunk" -> CMD_RESPONSE_CHUNK;
      case "endResponse" -> CMD_END_OF_STREAM;
      case "sendErrorResponse" -> CMD_ERROR_RESPONSE;
      case "reportValidation" -> CMD_REPORT_VALIDATION;
      default -> CMD_OTHER;
    };
  }

  static int startCode(StartException.Reason reason) {
    return switch (reason.name()) {
      case "KEY" -> START_KEY;
      case "ADDRESS" -> START_ADDRESS;
      case "BIND" -> START_BIND;
      case "CLOSED" -> START_CLOSED;
      default -> START_INTERNAL;
    };
  }

  static LeanProtocol protocol(int tag) {
    return switch (tag) {
      case BLOCKS_BY_ROOT -> LeanProtocol.BLOCKS_BY_ROOT;
      case STATUS -> LeanProtocol.STATUS;
      case BLOCKS_BY_RANGE -> LeanProtocol.BLOCKS_BY_RANGE;
      default -> null;
    };
  }

  static int protocolTag(LeanProtocol p) {
    return switch (p) {
      case BLOCKS_BY_ROOT -> BLOCKS_BY_ROOT;
      case STATUS -> STATUS;
      case BLOCKS_BY_RANGE -> BLOCKS_BY_RANGE;
    };
  }

  static int direction(Direction d) {
    return d == Direction.INBOUND ? INBOUND : OUTBOUND;
  }

  static int transport(TransportKind t) {
    return t == TransportKind.TCP ? TCP : QUIC;
  }

  static int closeReason(CloseReason r) {
    if (r == null) {
      return CLOSE_OTHER;
    }
    return switch (r.kind().name()) {
      case "TIMEOUT" -> CLOSE_TIMEOUT;
      case "REMOTE_CLOSE" -> CLOSE_REMOTE;
      case "LOCAL_CLOSE" -> CLOSE_LOCAL;
      case "IO_ERROR" -> CLOSE_IO_ERROR;
      case "PEER_ID_MISMATCH" -> CLOSE_PEER_ID_MISMATCH;
      case "HANDSHAKE_FAILED" -> CLOSE_HANDSHAKE_FAILED;
      case "PROTOCOL_ERROR" -> CLOSE_PROTOCOL_ERROR;
      case "REFUSED" -> CLOSE_REFUSED;
      case "CONNECTION_REFUSED" -> CLOSE_CONNECTION_REFUSED;
      case "UNRESOLVABLE" -> CLOSE_UNRESOLVABLE;
      default -> CLOSE_OTHER;
    };
  }

  static int rpcFailure(RequestError.Kind kind) {
    return switch (kind.name()) {
      case "WIRE_ERROR" -> RPC_WIRE_ERROR;
      case "TIMEOUT" -> RPC_TIMEOUT;
      case "PROTOCOL_VIOLATION" -> RPC_PROTOCOL_VIOLATION;
      case "STREAM_RESET" -> RPC_STREAM_RESET;
      case "DISCONNECTED" -> RPC_DISCONNECTED;
      case "NEGOTIATION_FAILED" -> RPC_NEGOTIATION_FAILED;
      case "CLOSED" -> RPC_CLOSED;
      case "NOT_CONNECTED" -> RPC_NOT_CONNECTED;
      case "SHED" -> RPC_SHED;
      default -> RPC_OTHER;
    };
  }
}
