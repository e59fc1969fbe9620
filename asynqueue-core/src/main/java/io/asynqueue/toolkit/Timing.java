package io.asynqueue.toolkit;

import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): the caller's context, whose futures and promises call back on
// it; no public API makes one.
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.Objects;

/** Small helpers shared by the async toolkit: the caller's context, and durations as timer delays. */
final class Timing {

  private Timing() {
  }

  /** The caller's context, or a new event-loop context when called from a non-Vert.x thread. */
  static ContextInternal callerContext(Vertx vertx) {
    return (ContextInternal) vertx.getOrCreateContext();
  }

  /**
   * A duration as a Vert.x timer delay: whole milliseconds, rounded up, at least 1 (Vert.x refuses 0), and
   * saturated instead of overflowing.
   */
  static long timerMillis(Duration d) {
    long millis;
    try {
      millis = d.toMillis();
      if (!d.minusMillis(millis).isZero()) {
        millis++;
      }
    } catch (ArithmeticException tooLong) {
      millis = Long.MAX_VALUE;
    }
    return Math.max(1, millis);
  }

  /** Checks an optional timeout: {@code null} or positive. */
  static Duration checkTimeout(Duration timeout) {
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      throw new IllegalArgumentException("timeout must be positive or null, was " + timeout);
    }
    return timeout;
  }

  /** Checks a wait: zero or positive. */
  static Duration checkDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    return delay;
  }
}
