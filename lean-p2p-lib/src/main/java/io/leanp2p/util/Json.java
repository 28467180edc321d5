package io.leanp2p.util;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer (RFC 8259) so that lean-p2p needs no JSON dependency:
 * used by the CLI's JSON-lines peer protocol and by the conformance tests.
 *
 * <p>Values map to: object → {@code LinkedHashMap<String,Object>} (insertion order kept), array →
 * {@code List<Object>}, string → {@code String}, number → {@code BigDecimal}, true/false →
 * {@code Boolean}, null → {@code null}. Nesting is capped at {@value #MAX_DEPTH}.
 */
public final class Json {
  public static final int MAX_DEPTH = 128;

  private final String text;
  private int pos;
  private int depth;

  private Json(String text) {
    this.text = text;
  }

  /** Parses one JSON value; anything but whitespace after it is an error. */
  public static Object parse(String text) throws DecodeException {
    Json p = new Json(text);
    p.skipWs();
    Object v = p.value();
    p.skipWs();
    if (p.pos != text.length()) {
      throw p.error("trailing characters");
    }
    return v;
  }

  /** Parses an object, rejecting any other top-level value. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) throws DecodeException {
    Object v = parse(text);
    if (!(v instanceof Map)) {
      throw DecodeException.malformed("JSON value is not an object");
    }
    return (Map<String, Object>) v;
  }

  private Object value() throws DecodeException {
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private Map<String, Object> object() throws DecodeException {
    enter();
    pos++;
    Map<String, Object> m = new LinkedHashMap<>();
    skipWs();
    if (peek() == '}') {
      pos++;
      depth--;
      return m;
    }
    while (true) {
      skipWs();
      if (peek() != '"') {
        throw error("expected a string key");
      }
      String k = string();
      skipWs();
      expect(':');
      skipWs();
      m.put(k, value());
      skipWs();
      char c = next();
      if (c == '}') {
        depth--;
        return m;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array() throws DecodeException {
    enter();
    pos++;
    List<Object> l = new ArrayList<>();
    skipWs();
    if (peek() == ']') {
      pos++;
      depth--;
      return l;
    }
    while (true) {
      skipWs();
      l.add(value());
      skipWs();
      char c = next();
      if (c == ']') {
        depth--;
        return l;
      }
      if (c != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() throws DecodeException {
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        char e = next();
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 4 > text.length()) {
              throw error("truncated \\u escape");
            }
            int cp = 0;
            for (int i = 0; i < 4; i++) {
              int d = Character.digit(text.charAt(pos++), 16);
              if (d < 0) {
                throw error("bad \\u escape");
              }
              cp = (cp << 4) | d;
            }
            sb.append((char) cp);
          }
          default -> throw error("bad escape '\\" + e + "'");
        }
      } else if (c < 0x20) {
        throw error("control character in string");
      } else {
        sb.append(c);
      }
    }
  }

  private BigDecimal number() throws DecodeException {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    while (pos < text.length() && "0123456789.eE+-".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
    try {
      return new BigDecimal(text.substring(start, pos));
    } catch (NumberFormatException e) {
      throw error("bad number");
    }
  }

  private Object literal(String word, Object v) throws DecodeException {
    if (!text.startsWith(word, pos)) {
      throw error("bad literal");
    }
    pos += word.length();
    return v;
  }

  private void enter() throws DecodeException {
    if (++depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
  }

  private char peek() throws DecodeException {
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    return text.charAt(pos);
  }

  private char next() throws DecodeException {
    char c = peek();
    pos++;
    return c;
  }

  private void expect(char c) throws DecodeException {
    if (next() != c) {
      throw error("expected '" + c + "'");
    }
  }

  private void skipWs() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private DecodeException error(String what) {
    return DecodeException.malformed("JSON: " + what + " at offset " + pos);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes a value: {@code Map} (keys as strings), {@code Iterable}, arrays of Object, {@code
   * CharSequence}, {@code Number}, {@code Boolean}, {@code null}. Non-finite doubles are written as
   * null.
   */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString();
  }

  public static void write(StringBuilder sb, Object v) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof CharSequence s) {
      quote(sb, s);
    } else if (v instanceof Boolean b) {
      sb.append(b.booleanValue());
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        sb.append("null");
      } else {
        sb.append(d.doubleValue());
      }
    } else if (v instanceof Float f) {
      write(sb, (double) f);
    } else if (v instanceof BigDecimal bd) {
      sb.append(bd.toPlainString());
    } else if (v instanceof Number n) {
      sb.append(n instanceof BigInteger bi ? bi.toString() : Long.toString(n.longValue()));
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (v instanceof Iterable<?> it) {
      sb.append('[');
      boolean first = true;
      for (Object o : it) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        write(sb, o);
      }
      sb.append(']');
    } else if (v instanceof Object[] arr) {
      write(sb, List.of(arr));
    } else {
      quote(sb, v.toString());
    }
  }

  private static void quote(StringBuilder sb, CharSequence s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
