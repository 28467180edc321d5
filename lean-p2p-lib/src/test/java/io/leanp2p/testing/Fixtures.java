package io.leanp2p.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates leanSpec's conformance fixtures: system property {@code leanspec.fixtures}, else
 * environment variable {@code LEANSPEC_FIXTURES}, else {@code ../shared/leanspec-fixtures} next to
 * the repository root. When the folder (or a subfolder a test reads) is absent, {@link
 * #requireRoot()} and {@link #cases} <em>fail</em> the calling test under CI (environment variable
 * {@code CI=true}), where a missing folder is a broken setup, and otherwise abort it, so it is
 * reported as <em>skipped</em> with the reason, never as passed.
 */
public final class Fixtures {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  private Fixtures() {}

  /** One fixture case: the file it came from, its test id, and its JSON body. */
  public record Case(Path file, String id, Map<String, Object> body) {
    /** A short display name: the file name without extension. */
    public String name() {
      String f = file.getFileName().toString();
      return f.endsWith(".json") ? f.substring(0, f.length() - 5) : f;
    }
  }

  /** The configured fixture folder, whether or not it exists. */
  public static Path location() {
    String p = System.getProperty("leanspec.fixtures");
    if (p == null || p.isBlank()) {
      p = System.getenv("LEANSPEC_FIXTURES");
    }
    if (p == null || p.isBlank()) {
      String repo = System.getProperty("leanp2p.repoRoot");
      Path base = repo != null ? Paths.get(repo) : findRepoRoot();
      p = base.resolve("../shared/leanspec-fixtures").toString();
    }
    return Paths.get(p).toAbsolutePath().normalize();
  }

  /** The fixture folder if it exists. */
  public static Optional<Path> root() {
    Path root = location();
    return Files.isDirectory(root) ? Optional.of(root) : Optional.empty();
  }

  /**
   * For tests that also run without fixtures: the fixture root if present, else empty; but under
   * {@code CI=true} a missing root fails the test as in {@link #requireRoot()}.
   */
  public static Optional<Path> rootIfPresent() {
    Optional<Path> r = root();
    if (r.isEmpty() && "true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).strip())) {
      requireFolder(location(), "true");
    }
    return r;
  }

  /** The fixture root; when it is absent, fails the test under {@code CI=true}, else skips it. */
  public static Path requireRoot() {
    return requireFolder(location(), System.getenv("CI"));
  }

  /**
   * Returns {@code dir} if it is a folder. Otherwise: with {@code ci} "true" (the value of the
   * environment variable {@code CI}) throws an {@link AssertionError} (the test fails); else
   * aborts the test (reported skipped) with the reason.
   */
  static Path requireFolder(Path dir, String ci) {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    String what = "leanSpec fixtures not found at " + dir
        + " (set -Dleanspec.fixtures=DIR or LEANSPEC_FIXTURES)";
    if ("true".equalsIgnoreCase(ci == null ? null : ci.strip())) {
      throw new AssertionError(what + ": CI=true, so the conformance tests fail instead of skipping");
    }
    Assumptions.abort(what + ": skipped");
    return dir; // not reached
  }

  /** Every case of every JSON file below {@code relDir} (sorted by path); a missing folder as {@link #requireRoot}. */
  public static List<Case> cases(String relDir) {
    Path dir = requireFolder(requireRoot().resolve(relDir), System.getenv("CI"));
    List<Case> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(x -> x.toString().endsWith(".json")).sorted().toList()) {
        for (Map.Entry<String, Object> e : readObject(f).entrySet()) {
          @SuppressWarnings("unchecked")
          Map<String, Object> body = (Map<String, Object>) e.getValue();
          out.add(new Case(f, e.getKey(), body));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Reads a fixture file with Jackson: objects as ordered maps, arrays as lists, integers as {@code
   * Integer}/{@code Long}/{@code BigInteger}, other numbers as {@code BigDecimal}.
   */
  public static Map<String, Object> readObject(Path file) {
    try {
      return JSON.readValue(file.toFile(), OBJECT);
    } catch (IOException e) {
      throw new UncheckedIOException("bad fixture JSON " + file + ": " + e.getMessage(), e);
    }
  }

  /** A fixture number as a 64-bit value; uint64 values above {@code Long.MAX_VALUE} wrap (two's complement). */
  public static long u64(Object n) {
    return new BigDecimal(((Number) n).toString()).toBigIntegerExact().longValue();
  }

  /** A fixture number that must be an int. */
  public static int int32(Object n) {
    return new BigDecimal(((Number) n).toString()).intValueExact();
  }

  /** Navigates nested maps: {@code get(body, "codec", "kind")}. */
  @SuppressWarnings("unchecked")
  public static <T> T get(Map<String, Object> body, String... path) {
    Object cur = body;
    for (String k : path) {
      if (!(cur instanceof Map)) {
        throw new IllegalArgumentException("no field " + String.join(".", path));
      }
      cur = ((Map<String, Object>) cur).get(k);
    }
    return (T) cur;
  }

  private static Path findRepoRoot() {
    Path p = Paths.get("").toAbsolutePath();
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("run-tests"))) {
        return q;
      }
    }
    return p;
  }
}
