package io.leanp2p.modulehost;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.node.LeanNetwork;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The exported packages of {@code io.leanp2p} are closed: every library type a public or protected
 * member of an exported type takes, gives, extends or throws is itself in an exported package. A
 * host therefore never needs an engine package, and the engine packages stay unexported. Also pins
 * the export list itself, so that widening the surface is a deliberate change of this test.
 */
class ExportedApiTest {
  private static final String ROOT = "io.leanp2p.";

  @Test
  void exportsTheHostApiAndItsValueTypesOnly() throws IOException {
    assertThat(exportedPackages()).containsExactlyInAnyOrder(
        "io.leanp2p.node", "io.leanp2p.node.metrics", "io.leanp2p.lean", "io.leanp2p.types",
        "io.leanp2p.config", "io.leanp2p.crypto", "io.leanp2p.crypto.enr", "io.leanp2p.multiformats",
        "io.leanp2p.util");
  }

  @Test
  void noExportedMemberReachesAnUnexportedLibraryType() throws Exception {
    Set<String> exported = exportedPackages();
    Path classes = libraryClasses();
    Set<String> leaks = new TreeSet<>();
    int checkedTypes = 0;
    for (String pkg : exported) {
      Path dir = classes.resolve(pkg.replace('.', '/'));
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.filter(f -> f.toString().endsWith(".class")).toList();
      }
      for (Path f : files) {
        String simple = f.getFileName().toString().replace(".class", "");
        if (simple.equals("package-info") || simple.equals("module-info")) {
          continue;
        }
        Class<?> type = Class.forName(pkg + "." + simple, false,
            LeanNetwork.class.getClassLoader());
        if (!visible(type)) {
          continue;
        }
        checkedTypes++;
        check(type, exported, leaks);
      }
    }
    assertThat(checkedTypes).as("exported types found").isGreaterThan(50);
    assertThat(leaks).as("exported members reaching unexported library types").isEmpty();
  }

  /** Public (or protected), and so is every type it is nested in. */
  private static boolean visible(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
      int m = c.getModifiers();
      if (!Modifier.isPublic(m) && !Modifier.isProtected(m)) {
        return false;
      }
    }
    return true;
  }

  private static void check(Class<?> type, Set<String> exported, Set<String> leaks) {
    String where = type.getName();
    reach(type.getGenericSuperclass(), where + " extends", exported, leaks);
    for (Type i : type.getGenericInterfaces()) {
      reach(i, where + " implements", exported, leaks);
    }
    for (Class<?> permitted : type.getPermittedSubclasses() == null ? new Class<?>[0] : type.getPermittedSubclasses()) {
      if (Modifier.isPublic(permitted.getModifiers())) {
        reach(permitted, where + " permits", exported, leaks);
      }
    }
    if (type.isRecord()) {
      for (RecordComponent rc : type.getRecordComponents()) {
        reach(rc.getGenericType(), where + "." + rc.getName(), exported, leaks);
      }
    }
    List<Member> members = new ArrayList<>();
    members.addAll(List.of(type.getDeclaredFields()));
    members.addAll(List.of(type.getDeclaredMethods()));
    members.addAll(List.of(type.getDeclaredConstructors()));
    boolean extensible = !Modifier.isFinal(type.getModifiers()) && !type.isEnum() && !type.isRecord();
    for (Member m : members) {
      int mod = m.getModifiers();
      boolean api = Modifier.isPublic(mod) || (extensible && Modifier.isProtected(mod));
      if (!api || m.isSynthetic() || (m instanceof Method method && method.isBridge())) {
        continue;
      }
      String at = where + "." + m.getName();
      if (m instanceof Field field) {
        reach(field.getGenericType(), at, exported, leaks);
      } else if (m instanceof Executable e) {
        if (e instanceof Method method) {
          reach(method.getGenericReturnType(), at + " returns", exported, leaks);
        }
        for (Type p : e.getGenericParameterTypes()) {
          reach(p, at + " takes", exported, leaks);
        }
        for (Type x : e.getGenericExceptionTypes()) {
          reach(x, at + " throws", exported, leaks);
        }
      }
    }
  }

  private static void reach(Type t, String at, Set<String> exported, Set<String> leaks) {
    switch (t) {
      case null -> { }
      case Class<?> c -> {
        Class<?> base = c;
        while (base.isArray()) {
          base = base.getComponentType();
        }
        String pkg = base.getPackageName();
        if (pkg.startsWith(ROOT) && !exported.contains(pkg)) {
          leaks.add(at + " -> " + base.getName());
        }
      }
      case ParameterizedType p -> {
        reach(p.getRawType(), at, exported, leaks);
        for (Type a : p.getActualTypeArguments()) {
          reach(a, at, exported, leaks);
        }
      }
      case GenericArrayType g -> reach(g.getGenericComponentType(), at, exported, leaks);
      case WildcardType w -> {
        for (Type b : w.getUpperBounds()) {
          reach(b, at, exported, leaks);
        }
        for (Type b : w.getLowerBounds()) {
          reach(b, at, exported, leaks);
        }
      }
      case TypeVariable<?> v -> { } // bounds are checked where the variable is declared
      default -> throw new AssertionError("unexpected type " + t);
    }
  }

  private static Set<String> exportedPackages() throws IOException {
    try (InputStream in = Files.newInputStream(libraryClasses().resolve("module-info.class"))) {
      return ModuleDescriptor.read(in).exports().stream()
          .filter(e -> !e.isQualified())
          .map(ModuleDescriptor.Exports::source)
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static Path libraryClasses() {
    try {
      return Path.of(LeanNetwork.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
