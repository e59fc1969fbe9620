package io.asynqueue.toolkit;

import io.vertx.core.Promise;
import static io.asynqueue.toolkit.Timing.callerContext;
import static io.asynqueue.toolkit.Timing.checkTimeout;
import static io.asynqueue.toolkit.Timing.timerMillis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
// Vert.x internal API (listed in InternalImportsTest): futures and promises bound to the caller's context, so their
// callbacks run there; no public API makes one.
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The {@link DeferredTracker}.
 *
 * <p>Each waiter is a threshold: it is satisfied when {@code count < threshold}. Every decrement takes the
 * satisfied waiters out of {@code waiters} under the monitor and completes them outside it (a waiter on the
 * completing thread's context runs inline). A waiter leaves {@code waiters} exactly once (satisfied, timed
 * out, or quit), and its timer is set and cancelled under the monitor, so no timer outlives its waiter.
 */
final class DeferredTrackerImpl implements DeferredTracker {

  private final Vertx vertx;
  private final List<Waiter> waiters = new ArrayList<>(); // @protectedby this
  private int count; // @protectedby this

  public DeferredTrackerImpl(Vertx vertx) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
  }

  @Override
  public <T> Future<T> put(Future<T> future) {
    Objects.requireNonNull(future, "future");
    addWait();
    future.onComplete(ar -> decrement(false));
    return future;
  }

  @Override
  public synchronized void addWait() {
    count++;
  }

  @Override
  public void removeWait() {
    decrement(true);
  }

  @Override
  public synchronized int count() {
    return count;
  }

  @Override
  public Future<Boolean> all(Duration timeout) {
    return waitFor(1, timeout);
  }

  @Override
  public synchronized Future<Boolean> any(Duration timeout) {
    return waitFor(Math.max(count, 1), timeout); // nothing pending: true at once
  }

  @Override
  public Future<Boolean> untilFewer(int n, Duration timeout) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    return waitFor(n, timeout);
  }

  @Override
  public void quitWaiting() {
    List<Waiter> quit;
    synchronized (this) {
      quit = new ArrayList<>(waiters);
      waiters.clear();
      quit.forEach(this::cancelTimer);
    }
    quit.forEach(w -> w.promise.tryComplete(true));
  }

  private synchronized Future<Boolean> waitFor(int threshold, Duration timeout) {
    checkTimeout(timeout);
    ContextInternal ctx = callerContext(vertx);
    if (count < threshold) {
      return ctx.succeededFuture(true);
    }
    Waiter waiter = new Waiter(threshold, ctx.promise());
    waiters.add(waiter);
    if (timeout != null) {
      waiter.timerId = ctx.setTimer(timerMillis(timeout), id -> timedOut(waiter));
    }
    return waiter.promise.future();
  }

  private void decrement(boolean byHand) {
    List<Waiter> satisfied = new ArrayList<>();
    synchronized (this) {
      if (count == 0) {
        if (byHand) {
          throw new IllegalStateException("removeWait() with nothing pending");
        }
        return; // cannot happen unless removeWait() was unbalanced; never go negative
      }
      count--;
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (count < waiter.threshold) {
          it.remove();
          cancelTimer(waiter);
          satisfied.add(waiter);
        }
      }
    }
    satisfied.forEach(w -> w.promise.tryComplete(true));
  }

  private void timedOut(Waiter waiter) {
    boolean removed;
    synchronized (this) {
      removed = waiters.remove(waiter);
    }
    if (removed) {
      waiter.promise.tryComplete(false);
    }
  }

  // @protectedby this
  private void cancelTimer(Waiter waiter) {
    if (waiter.timerId >= 0) {
      vertx.cancelTimer(waiter.timerId);
    }
  }

  private static final class Waiter {
    final int threshold;
    final Promise<Boolean> promise;
    long timerId = -1; // @protectedby DeferredTrackerImpl.this

    Waiter(int threshold, Promise<Boolean> promise) {
      this.threshold = threshold;
      this.promise = promise;
    }
  }
}
