package io.leanp2p.testing;

import io.leanp2p.util.DecodeException;
import io.leanp2p.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 * the repository root. When the folder is absent, {@link #requireRoot()} aborts the calling test
 * so it is reported as <em>skipped</em>, never as passed.
 */
public final class Fixtures {
  private Fixtures() {}

  /** One fixture case: the file it came from, its test id, and its JSON body. */
  public record Case(Path file, String id, Map<String, Object> body) {
    /** A short display name: the file name without extension. */
    public String name() {
      String f = file.getFileName().toString();
      return f.endsWith(".json") ? f.substring(0, f.length() - 5) : f;
    }
  }

  public static Optional<Path> root() {
    String p = System.getProperty("leanspec.fixtures");
    if (p == null || p.isBlank()) {
      p = System.getenv("LEANSPEC_FIXTURES");
    }
    if (p == null || p.isBlank()) {
      String repo = System.getProperty("leanp2p.repoRoot");
      Path base = repo != null ? Paths.get(repo) : findRepoRoot();
      p = base.resolve("../shared/leanspec-fixtures").toString();
    }
    Path root = Paths.get(p).toAbsolutePath().normalize();
    return Files.isDirectory(root) ? Optional.of(root) : Optional.empty();
  }

  /** The fixture root, or aborts the test (reported skipped) when it is absent. */
  public static Path requireRoot() {
    Optional<Path> r = root();
    Assumptions.assumeTrue(
        r.isPresent(),
        "leanSpec fixtures not found (set -Dleanspec.fixtures=... or LEANSPEC_FIXTURES): skipped");
    return r.get();
  }

  /** Every case of every JSON file below {@code relDir} (sorted by path), or aborts if absent. */
  public static List<Case> cases(String relDir) {
    Path dir = requireRoot().resolve(relDir);
    Assumptions.assumeTrue(Files.isDirectory(dir), "fixture folder absent: " + dir + ": skipped");
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

  public static Map<String, Object> readObject(Path file) {
    try {
      return Json.parseObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (DecodeException e) {
      throw new IllegalStateException("bad fixture JSON " + file + ": " + e.getMessage(), e);
    }
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
