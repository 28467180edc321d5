package io.leanp2p.modulehost;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.node.LeanNetwork;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The library works as a named module: {@link ModuleHost} runs in a child JVM with {@code
 * io.leanp2p} and its dependencies on the module path and itself on the class path, so it can use
 * the exported packages only, and a missing {@code requires}/{@code opens} fails at run time here.
 * (The other tests run on the class path: they reach package-private internals.)
 */
class ModulePathSmokeTest {
  private static final List<String> LIBRARY_DEPENDENCIES =
      List.of("netty-", "bcprov-", "bcpkix-", "bcutil-", "protobuf-java-", "snappy-java-", "slf4j-api-");

  @Test
  @Timeout(180)
  void aHostOnTheClassPathUsesTheLibraryModule() throws Exception {
    Path libraryClasses = Path.of(LeanNetwork.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path hostClasses = Path.of(ModuleHost.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> modulePath = new ArrayList<>(List.of(libraryClasses.toString()));
    for (String entry : testClassPath()) {
      String name = Path.of(entry).getFileName().toString();
      boolean platformClassifier = name.matches(".*-(linux|osx|windows)-.*"); // native-library jars
      if (name.endsWith(".jar") && !platformClassifier && LIBRARY_DEPENDENCIES.stream().anyMatch(name::startsWith)) {
        modulePath.add(entry);
      }
    }
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", String.join(File.pathSeparator, modulePath), "--add-modules", "io.leanp2p",
        "-cp", hostClasses.toString(), ModuleHost.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    boolean exited = p.waitFor(150, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    byte[] head = p.getInputStream().readNBytes(64 * 1024);
    String out = new String(head, StandardCharsets.UTF_8);
    assertThat(exited).as("the module host did not finish: " + out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("module host: ok");
  }

  /** The test class path (surefire's, also when it starts the fork through a manifest-only jar). */
  private static List<String> testClassPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return List.of(cp.split(File.pathSeparator));
  }
}
