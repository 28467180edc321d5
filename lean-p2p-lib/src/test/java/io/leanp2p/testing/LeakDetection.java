package io.leanp2p.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes Netty leak reports fail tests. Registered as a JUnit {@link LauncherSessionListener} (via
 * META-INF/services) so the detector factory is installed before any {@code ByteBuf} class is
 * initialised; {@link LeakCheckExtension} then collects garbage after each test class and fails
 * the class when a leak was reported. Surefire runs with {@code -Dio.netty.leakDetection.level=paranoid}.
 *
 * <p>Test-only global state: the list of reports of this JVM.
 */
public final class LeakDetection implements LauncherSessionListener {
  private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
  private static volatile boolean installed;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    install();
  }

  public static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new Factory());
  }

  /** Forces collection and polling, then returns and clears the reports seen so far. */
  public static List<String> collect() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      System.runFinalization();
      // allocations poll the detector's reference queue and report collected, unreleased buffers
      for (int j = 0; j < 8; j++) {
        ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        a.release();
        ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
        b.release();
        ByteBuf c = Unpooled.directBuffer(16);
        c.release();
      }
    }
    List<String> out = new ArrayList<>(REPORTS);
    REPORTS.clear();
    return out;
  }

  private static final class Factory extends ResourceLeakDetectorFactory {
    @Override
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new Recording<>(resource, samplingInterval);
    }
  }

  private static final class Recording<T> extends ResourceLeakDetector<T> {
    Recording(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      REPORTS.add("LEAK: " + resourceType + " was not released:" + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      REPORTS.add("LEAK: " + resourceType + " was not released (untraced)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
