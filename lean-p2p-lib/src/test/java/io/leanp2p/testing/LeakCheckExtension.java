package io.leanp2p.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Auto-registered (junit.jupiter.extensions.autodetection.enabled): after each test class, forces
 * Netty's leak detector to run and fails the class if any {@code ByteBuf} leaked.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    LeakDetection.install();
    LeakDetection.collect(); // leaks of earlier classes are theirs
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = LeakDetection.collect();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          leaks.size() + " Netty buffer leak(s) in " + context.getDisplayName() + ":\n"
              + String.join("\n", leaks));
    }
  }
}
