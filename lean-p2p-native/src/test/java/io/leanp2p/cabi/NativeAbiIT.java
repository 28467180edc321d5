package io.leanp2p.cabi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds the C test program ({@code src/test/c/lean_p2p_test.c}) with the system C compiler,
 * links it against {@code target/dist/liblean_p2p.so} as a host would, and runs it: in-process
 * networks, the js-libp2p peer, and JVM start failures. Runs after {@code package} (the dist
 * folder holds the .so, its jar and the header exactly as shipped), in the integration-test phase.
 *
 * <p>Skipped, with a message, only when the machine has no C compiler (then the build did not
 * make the .so either); the js part is skipped like every js interop test when node or
 * {@code interop/js/node_modules} is missing ({@code ./run-tests} installs them).
 */
class NativeAbiIT {
  private static final long RUN_TIMEOUT_SECONDS = 300;
  private static Path dist;
  private static Path module;
  private static Path work;
  private static Path binary;

  @BeforeAll
  static void build() throws Exception {
    String cc = compiler();
    Assumptions.assumeTrue(
        cc != null, "no C compiler (cc, gcc, clang or $CC) on this machine: the native C ABI test is skipped");
    module = Paths.get(System.getProperty("leanp2p.native.module", ".")).toAbsolutePath().normalize();
    dist = Paths.get(System.getProperty("leanp2p.native.dist", "target/dist")).toAbsolutePath().normalize();
    assertThat(dist.resolve("liblean_p2p.so")).as("built by the compile phase (a C compiler exists)").isRegularFile();
    assertThat(dist.resolve("lean-p2p-native-all.jar")).as("built by the package phase").isRegularFile();
    assertThat(dist.resolve("include/lean_p2p.h")).isRegularFile();
    work = module.resolve("target/native-test");
    Files.createDirectories(work);
    binary = work.resolve("lean_p2p_test");
    List<String> cmd = new ArrayList<>(List.of(
        cc, "-std=gnu11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-pthread",
        "-I" + dist.resolve("include"),
        module.resolve("src/test/c/lean_p2p_test.c").toString(),
        "-L" + dist, "-llean_p2p", "-Wl,-rpath," + dist,
        "-o", binary.toString()));
    Run r = run(cmd, Map.of(), work.resolve("compile.log"), 120);
    assertThat(r.exit).as("compiling the C test:\n%s", r.output).isZero();
  }

  /** Several networks in one JVM talking to each other: lifecycle, every command, every callback. */
  @Test
  void cHostInProcess() throws Exception {
    expectAllChecksPass("inproc", List.of("inproc"), Map.of());
  }

  /** A network against the project's js-libp2p peer, and 4 native threads hammering publish. */
  @Test
  void cHostAgainstTheJsPeer() throws Exception {
    Path peerDir = repoRoot().resolve("interop/js");
    Assumptions.assumeTrue(
        Files.isDirectory(peerDir.resolve("node_modules")),
        "js interop peer not installed (" + peerDir.resolve("node_modules") + " missing; run `npm ci` in interop/js): skipped");
    Assumptions.assumeTrue(nodeRuns(), "node not runnable: skipped");
    expectAllChecksPass(
        "js",
        List.of("js", nodeBinary(), peerDir.resolve("peer.mjs").toString(), work.resolve("js-peer.log").toString()),
        Map.of());
  }

  /** JDK discovery: an explicit Java home that is too old is a typed JVM failure, not a crash. */
  @Test
  void tooOldJavaIsAStartJvmFailure(@TempDir Path dirs) throws Exception {
    Path fakeHome = fakeJava(dirs.resolve("jdk-17"), "17.0.2");
    String out = expectAllChecksPass(
        "start-old-java", List.of("expect-start", "JVM"), Map.of("LEAN_P2P_JAVA_HOME", fakeHome.toString()));
    assertThat(out).contains("is Java 17; lean-p2p needs 21 or newer");
  }

  /** Discovery: a JAVA_HOME older than 21 is passed over for the newest >= 21 in the search dirs. */
  @Test
  void discoveryPassesOverAnOldJavaHome(@TempDir Path dirs) throws Exception {
    Path old = fakeJava(dirs.resolve("jdk-17"), "17.0.2");
    Path real = Paths.get(System.getProperty("java.home"));
    expectAllChecksPass(
        "start-discovery", List.of("expect-start", "OK"),
        Map.of("JAVA_HOME", old.toString(), "LEANP2P_JDK_DIRS", old + " " + real));
  }

  /** Discovery: nothing >= 21 anywhere (JAVA_HOME, search dirs, PATH) is a typed JVM failure. */
  @Test
  void noJavaFoundIsAStartJvmFailure(@TempDir Path dirs) throws Exception {
    Path old = fakeJava(dirs.resolve("jdk-17"), "17.0.2");
    Path emptyPath = Files.createDirectories(dirs.resolve("empty-path"));
    String out = expectAllChecksPass(
        "start-no-java", List.of("expect-start", "JVM"),
        Map.of("JAVA_HOME", old.toString(), "LEANP2P_JDK_DIRS", old.toString(), "PATH", emptyPath.toString()));
    assertThat(out).contains("no JDK >= 21 found");
  }

  private static Path fakeJava(Path home, String version) throws IOException {
    Files.createDirectories(home.resolve("lib/server"));
    Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    Files.writeString(home.resolve("lib/server/libjvm.so"), "not a library");
    return home;
  }

  /** A class path without lean-p2p: the JVM starts, the classes are missing: a typed failure. */
  @Test
  void missingClassesAreAStartJvmFailure() throws Exception {
    String out = expectAllChecksPass(
        "start-no-classes", List.of("expect-start", "JVM"),
        Map.of("LEAN_P2P_CLASSPATH", work.resolve("no-such.jar").toString()));
    assertThat(out).contains("not on the class path");
  }

  // ------------------------------------------------------------------------- helpers

  private static String expectAllChecksPass(String name, List<String> args, Map<String, String> env)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(args);
    Run r = run(cmd, env, work.resolve(name + ".log"), RUN_TIMEOUT_SECONDS);
    String failures = r.output.lines()
        .filter(l -> l.startsWith("not ok") || l.startsWith("#   ") || l.startsWith("# bail"))
        .collect(Collectors.joining("\n"));
    assertThat(r.exit)
        .as("C test %s exited %d (log: %s)\n%s\n--- tail:\n%s", name, r.exit, work.resolve(name + ".log"),
            failures, tail(r.output, 40))
        .isZero();
    assertThat(r.output).contains(", 0 failed").doesNotContain("not ok");
    return r.output;
  }

  private record Run(int exit, String output) {}

  private static Run run(List<String> cmd, Map<String, String> env, Path log, long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.directory(work.toFile());
    Map<String, String> e = pb.environment();
    e.remove("LEAN_P2P_CLASSPATH"); // the default: the jar next to liblean_p2p.so
    e.remove("LEAN_P2P_JAVA_HOME");
    String javaHome = System.getenv("JAVA_HOME");
    if ((javaHome == null || javaHome.isBlank()) && !env.containsKey("JAVA_HOME")) {
      e.put("LEAN_P2P_JAVA_HOME", System.getProperty("java.home")); // the JDK running this test
    }
    e.putAll(env);
    Process p = pb.start();
    boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(out);
    return new Run(done ? p.exitValue() : -1, done ? out : out + "\n# TIMED OUT after " + timeoutSeconds + " s");
  }

  private static String tail(String s, int lines) {
    List<String> all = s.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** $CC, else the first of cc, gcc, clang on the PATH; null if none. */
  static String compiler() {
    String cc = System.getenv("CC");
    List<String> candidates = cc != null && !cc.isBlank() ? List.of(cc) : List.of("cc", "gcc", "clang");
    String path = System.getenv().getOrDefault("PATH", "");
    for (String c : candidates) {
      if (c.contains("/")) {
        if (Files.isExecutable(Paths.get(c))) {
          return c;
        }
        continue;
      }
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, c))) {
          return Paths.get(dir, c).toString();
        }
      }
    }
    return null;
  }

  private static Path repoRoot() {
    String p = System.getProperty("leanp2p.repoRoot");
    if (p != null && Files.isRegularFile(Paths.get(p, "run-tests"))) {
      return Paths.get(p).toAbsolutePath().normalize();
    }
    return module.getParent();
  }

  private static String nodeBinary() {
    String p = System.getProperty("leanp2p.node");
    if (p == null || p.isBlank()) {
      p = System.getenv("LEANP2P_NODE");
    }
    return p == null || p.isBlank() ? "node" : p;
  }

  private static boolean nodeRuns() {
    try {
      Process p = new ProcessBuilder(nodeBinary(), "--version")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      boolean ok = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
      if (p.isAlive()) {
        p.destroyForcibly();
      }
      return ok;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
