package io.leanp2p.lean;

/**
 * Req/resp response codes. On the wire every byte is legal: unknown codes 4..127 are read as
 * {@link #SERVER_ERROR} and 128..255 as {@link #INVALID_REQUEST}, as leanSpec maps them.
 */
public enum ResponseCode {
  /** The payload is the SSZ response. */
  SUCCESS(0),
  /** The payload is a UTF-8 error message: the request was invalid. */
  INVALID_REQUEST(1),
  /** The payload is a UTF-8 error message: the server failed. */
  SERVER_ERROR(2),
  /** The payload is a UTF-8 error message: the server does not have what was asked. */
  RESOURCE_UNAVAILABLE(3);

  private final int code;

  ResponseCode(int code) {
    this.code = code;
  }

  /** The wire byte. */
  public int code() {
    return code;
  }

  /** True for every code but {@link #SUCCESS}. */
  public boolean isError() {
    return this != SUCCESS;
  }

  /** Maps a wire byte (0..255) to a code, unknown values as leanSpec does. */
  public static ResponseCode fromWire(int wire) {
    return switch (wire) {
      case 0 -> SUCCESS;
      case 1 -> INVALID_REQUEST;
      case 2 -> SERVER_ERROR;
      case 3 -> RESOURCE_UNAVAILABLE;
      default -> {
        if (wire < 0 || wire > 255) {
          throw new IllegalArgumentException("response code byte out of range: " + wire);
        }
        yield wire < 128 ? SERVER_ERROR : INVALID_REQUEST;
      }
    };
  }
}
