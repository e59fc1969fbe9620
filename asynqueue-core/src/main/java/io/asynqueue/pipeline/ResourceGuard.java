package io.asynqueue.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;

/**
 * Says when the machine is too busy for a {@link Pipeline} to take more input (mt.concurrency's
 * {@code used_memory_too_much} and {@code used_cpu_too_much}). While it does, the pipeline reads nothing from
 * its input; the elements already inside carry on. See {@link Pipeline#pauseWhen(ResourceGuard)}.
 *
 * <p>Called on the pipeline's context, at most once per check interval: it must be quick and must not block.
 */
@FunctionalInterface
public interface ResourceGuard {

  /** @return {@code true} to pause the intake of new input */
  boolean overloaded();

  /**
   * A guard that pauses intake while this JVM's heap is fuller than {@code fraction} of its maximum (the
   * heap after the last collection may still hold garbage, so expect some false alarms near the threshold).
   *
   * @param fraction between 0 and 1, such as 0.9
   * @return the guard
   */
  static ResourceGuard memoryAbove(double fraction) {
    requireFraction(fraction);
    return () -> {
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
      return heap.getUsed() > fraction * max;
    };
  }

  /**
   * A guard that pauses intake while the machine's CPU load is above {@code fraction} (the recent CPU load
   * of the whole system where the JVM reports it, else the load average divided by the processors).
   *
   * @param fraction between 0 and 1, such as 0.9
   * @return the guard
   */
  static ResourceGuard cpuAbove(double fraction) {
    requireFraction(fraction);
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return () -> {
      double load = -1;
      if (os instanceof com.sun.management.OperatingSystemMXBean) {
        load = ((com.sun.management.OperatingSystemMXBean) os).getCpuLoad();
      }
      if (load < 0) {
        double avg = os.getSystemLoadAverage();
        load = avg < 0 ? 0 : avg / os.getAvailableProcessors();
      }
      return load > fraction;
    };
  }

  /**
   * @param guards the guards
   * @return a guard that is overloaded when any of them is
   */
  static ResourceGuard any(ResourceGuard... guards) {
    ResourceGuard[] copy = guards.clone();
    return () -> {
      for (ResourceGuard g : copy) {
        if (g.overloaded()) {
          return true;
        }
      }
      return false;
    };
  }

  private static void requireFraction(double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1], was " + fraction);
    }
  }
}
