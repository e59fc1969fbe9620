package io.asynqueue.toolkit;

import io.vertx.core.Promise;
import static io.asynqueue.toolkit.Timing.callerContext;
import static io.asynqueue.toolkit.Timing.checkDelay;
import static io.asynqueue.toolkit.Timing.checkTimeout;
import static io.asynqueue.toolkit.Timing.timerMillis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): futures, promises and timers bound to the caller's context, so
// their callbacks run there; no public API makes one.
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The {@link Delay}.
 *
 * <p>Concurrency: every pending wait is in {@code pending} until it ends, and its timer id is set under the
 * same monitor, so {@link #shutdown()} sees and cancels every timer. A wait ends by leaving {@code pending};
 * its promise is completed with {@code tryComplete}, so a check that succeeds while a shutdown ends the wait
 * loses quietly, and a wait that is no longer pending never schedules another timer.
 */
final class DelayImpl implements Delay {

  private final Vertx vertx;
  private final DelayOptions options;
  private final double intervalMillis;
  private final Set<Wait> pending = new HashSet<>(); // @protectedby this
  private boolean shutdown; // @protectedby this

  public DelayImpl(Vertx vertx, DelayOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = new DelayOptions(Objects.requireNonNull(options, "options"));
    Duration interval = this.options.getInterval();
    this.intervalMillis = interval.getSeconds() * 1000.0 + interval.getNano() / 1e6;
  }

  @Override
  public Future<Void> after(Duration delay) {
    checkDelay(delay);
    ContextInternal ctx = callerContext(vertx);
    AfterWait wait = new AfterWait(ctx.promise());
    synchronized (this) {
      if (shutdown) {
        return ctx.succeededFuture();
      }
      pending.add(wait);
      if (delay.isZero()) {
        ctx.runOnContext(v -> wait.finish());
      } else {
        wait.timerId = ctx.setTimer(timerMillis(delay), id -> wait.finish());
      }
    }
    return wait.promise.future();
  }

  @Override
  public Future<Boolean> untilEvent(BooleanSupplier check, Duration timeout) {
    Objects.requireNonNull(check, "check");
    checkTimeout(timeout);
    ContextInternal ctx = callerContext(vertx);
    long start = System.nanoTime();
    try {
      if (check.getAsBoolean()) {
        return ctx.succeededFuture(true);
      }
    } catch (Throwable t) {
      return ctx.failedFuture(t);
    }
    EventWait wait = new EventWait(ctx, check, start, timeout);
    synchronized (this) {
      if (shutdown) {
        return ctx.succeededFuture(false);
      }
      pending.add(wait);
    }
    ctx.runOnContext(v -> wait.step());
    return wait.promise.future();
  }

  @Override
  public Future<Void> shutdown() {
    ContextInternal ctx = callerContext(vertx);
    List<Wait> ended;
    synchronized (this) {
      shutdown = true;
      ended = new ArrayList<>(pending);
      pending.clear();
      for (Wait wait : ended) {
        if (wait.timerId >= 0) {
          vertx.cancelTimer(wait.timerId);
        }
      }
    }
    // Completed outside the monitor: a listener on the same context runs inline.
    ended.forEach(Wait::endByShutdown);
    return ctx.succeededFuture();
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public DelayOptions options() {
    return new DelayOptions(options);
  }

  /** Ends a wait normally; false if a shutdown ended it already. */
  private synchronized boolean remove(Wait wait) {
    return pending.remove(wait);
  }

  private abstract static class Wait {
    long timerId = -1; // @protectedby DelayImpl.this

    abstract void endByShutdown();
  }

  private final class AfterWait extends Wait {
    final Promise<Void> promise;

    AfterWait(Promise<Void> promise) {
      this.promise = promise;
    }

    void finish() {
      if (remove(this)) {
        promise.tryComplete();
      }
    }

    @Override
    void endByShutdown() {
      promise.tryComplete();
    }
  }

  /** One {@code untilEvent}: each step checks, then ends or schedules the next step. Runs on {@code ctx}. */
  private final class EventWait extends Wait {
    final ContextInternal ctx;
    final BooleanSupplier check;
    final Promise<Boolean> promise;
    final long start;
    final long timeoutNanos; // Long.MAX_VALUE: none
    double interval = intervalMillis;

    EventWait(ContextInternal ctx, BooleanSupplier check, long start, Duration timeout) {
      this.ctx = ctx;
      this.check = check;
      this.promise = ctx.promise();
      this.start = start;
      this.timeoutNanos = timeout == null ? Long.MAX_VALUE : saturatedNanos(timeout);
    }

    void step() {
      if (promise.future().isComplete()) {
        return;
      }
      try {
        if (check.getAsBoolean()) {
          end(true);
          return;
        }
      } catch (Throwable t) {
        if (remove(this)) {
          promise.tryFail(t);
        }
        return;
      }
      long left = timeoutNanos - (System.nanoTime() - start);
      if (left <= 0) {
        end(false);
        return;
      }
      long delay = Math.max(1, Math.round(interval));
      if (timeoutNanos != Long.MAX_VALUE) {
        delay = Math.min(delay, timerMillis(Duration.ofNanos(left)));
      }
      interval *= options.getBackoff();
      synchronized (DelayImpl.this) {
        if (pending.contains(this)) {
          timerId = ctx.setTimer(delay, id -> step());
        }
      }
    }

    void end(boolean happened) {
      if (remove(this)) {
        promise.tryComplete(happened);
      }
    }

    @Override
    void endByShutdown() {
      promise.tryComplete(false);
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}
