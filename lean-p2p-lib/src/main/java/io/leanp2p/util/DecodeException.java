package io.leanp2p.util;

/**
 * The one checked exception every lean-p2p decoder throws for bad input: truncated, oversized,
 * non-canonical or otherwise malformed bytes. It carries a {@link Reason} so that callers can
 * count rejections by class, and a human-readable detail.
 *
 * <p>Decoders never let {@code IndexOutOfBoundsException}, {@code NegativeArraySizeException},
 * {@code OutOfMemoryError} or similar escape for bad input: they check first and throw this.
 */
public class DecodeException extends Exception {

  /** Why input was rejected; stable names, used as metric labels. */
  public enum Reason {
    /** The input ended before a complete value. */
    TRUNCATED,
    /** A declared or actual length exceeds its limit. */
    TOO_LARGE,
    /** A value has more than one encoding and this one is not the canonical / minimal one. */
    NON_CANONICAL,
    /** Bytes follow a complete value where none are allowed. */
    TRAILING_BYTES,
    /** A checksum or signature does not match. */
    BAD_CHECKSUM,
    /** A code, type or tag that is not known or not supported. */
    UNSUPPORTED,
    /** Anything else that is structurally invalid. */
    MALFORMED
  }

  private final Reason reason;

  public DecodeException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public DecodeException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String getMessage() {
    return reason + ": " + super.getMessage();
  }

  public static DecodeException truncated(String what) {
    return new DecodeException(Reason.TRUNCATED, what);
  }

  public static DecodeException tooLarge(String what, Object declared, long limit) {
    return new DecodeException(Reason.TOO_LARGE, what + " " + declared + " exceeds limit " + limit);
  }

  public static DecodeException malformed(String what) {
    return new DecodeException(Reason.MALFORMED, what);
  }
}
