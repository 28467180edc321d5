package io.leanp2p.peerclient;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.impl.UnknownSerializer;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.util.Map;

/**
 * The JSON of the JSON-lines protocols (the peer protocol, the devnet's worker protocol) and of
 * the CLI's {@code --json} output, on Jackson, configured once for both ends.
 *
 * <p>Reading is strict RFC 8259 (no comments, no trailing content, nesting at most {@value
 * #MAX_DEPTH}) and maps values to: object → {@code LinkedHashMap<String,Object>} (order kept),
 * array → {@code List<Object>}, string → {@code String}, integer → {@code Integer}, {@code Long}
 * or {@code BigInteger}, other numbers → {@code BigDecimal} (exact, e.g. {@code "ts":2.500000}),
 * true/false → {@code Boolean}, null → {@code null}. A string may be as long as a 10 MiB payload
 * in hex.
 *
 * <p>Writing takes maps, iterables, arrays, strings, numbers (a {@code BigDecimal} in plain
 * notation; a non-finite double as {@code null}), booleans and null; an enum or any other object is
 * written as its {@code toString()}.
 */
public final class JsonLines {
  /** Deepest nesting accepted. */
  public static final int MAX_DEPTH = 128;
  /** Longest string value accepted: a 10 MiB payload in hex, and room around it. */
  public static final int MAX_STRING_CHARS = 2 * 10 * 1024 * 1024 + 64 * 1024;

  private static final ObjectMapper MAPPER = mapper();

  private JsonLines() {}

  /** A line that is not JSON (or not the JSON value asked for). */
  public static final class MalformedJson extends Exception {
    MalformedJson(String message) {
      super(message, null, false, false);
    }
  }

  /** Parses one JSON value; anything but whitespace after it is an error. */
  public static Object parse(String text) throws MalformedJson {
    try {
      return MAPPER.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      throw new MalformedJson(e.getOriginalMessage() + locationOf(e));
    }
  }

  /** Parses an object, rejecting any other top-level value. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) throws MalformedJson {
    Object v = parse(text);
    if (!(v instanceof Map)) {
      throw new MalformedJson("JSON value is not an object");
    }
    return (Map<String, Object>) v;
  }

  /** Writes a value on one line (no line breaks: strings escape them). */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** An integer-valued number field as a long; null when {@code v} is not an integral number. */
  public static Long integer(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    try {
      if (v instanceof java.math.BigInteger b) {
        return b.longValueExact();
      }
      if (v instanceof java.math.BigDecimal d) {
        return d.longValueExact();
      }
    } catch (ArithmeticException e) {
      return null;
    }
    return null;
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " at offset " + e.getLocation().getCharOffset();
  }

  private static ObjectMapper mapper() {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxStringLength(MAX_STRING_CHARS)
            .build())
        .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
        .build();
    SimpleModule plain = new SimpleModule("lean-p2p-json-lines");
    plain.addSerializer(Double.class, new FiniteOrNull());
    plain.addSerializer(double.class, new FiniteOrNull());
    plain.addSerializer(java.nio.file.Path.class, ToStringSerializer.instance); // not Jackson's file: URI
    plain.setSerializerModifier(new BeanSerializerModifier() {
      @Override
      public JsonSerializer<?> modifySerializer(SerializationConfig config, BeanDescription desc,
          JsonSerializer<?> serializer) {
        // no bean serialization: an object that is not a plain JSON value is written as its text
        return serializer instanceof BeanSerializerBase || serializer instanceof UnknownSerializer
            ? ToStringSerializer.instance : serializer;
      }
    });
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
        .addModule(plain)
        .build();
  }

  /** Doubles as JSON numbers; NaN and infinities (which JSON cannot carry) as null. */
  private static final class FiniteOrNull extends StdSerializer<Double> {
    FiniteOrNull() {
      super(Double.class);
    }

    @Override
    public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
      if (v.isNaN() || v.isInfinite()) {
        g.writeNull();
      } else {
        g.writeNumber(v);
      }
    }
  }
}
