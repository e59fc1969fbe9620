package io.asynqueue.toolkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Counts Futures in flight and lets you wait until all, any, or enough of them are done, for example to
 * keep at most N calls running at once.
 *
 * <pre>{@code
 * DeferredTracker tracker = DeferredTracker.create(vertx);
 *
 * Future<Boolean> feed(Iterator<Row> rows) {               // at most 10 calls in flight
 *   if (!rows.hasNext()) {
 *     return tracker.all(Duration.ofMinutes(1));           // true once the last one is done
 *   }
 *   Row row = rows.next();
 *   return tracker.untilFewer(10).compose(ok -> {
 *     tracker.put(queue.call(render, row));
 *     return feed(rows);
 *   });
 * }
 * }</pre>
 *
 * <p>The tracker only listens to a Future: it does not change its result, and a failed Future counts as done
 * like a succeeded one. Waiting is driven by the Futures' completions, without polling: a waiter completes
 * as soon as the count that satisfies it is reached.
 *
 * <p><b>Threading.</b> Every method may be called from any thread, and tracked Futures may complete on any
 * thread. Every Future returned by {@code all}, {@code any} and {@code untilFewer} completes on the Vert.x
 * context of its caller (the context current at the call, or a new event-loop context when called from a
 * non-Vert.x thread). None of them ever fails.
 */
public interface DeferredTracker {

  /**
   * A tracker with nothing tracked.
   *
   * @param vertx the Vert.x instance for timeouts and contexts
   * @return the tracker
   */
  static DeferredTracker create(Vertx vertx) {
    return new DeferredTrackerImpl(vertx);
  }

  /**
   * Tracks a Future until it completes, either way.
   *
   * @param future the Future
   * @param <T> its result type
   * @return {@code future} itself
   */
  <T> Future<T> put(Future<T> future);

  /** Adds one to the count by hand, for work that has no Future; balance it with {@link #removeWait()}. */
  void addWait();

  /**
   * Takes one from the count, as if a tracked Future had completed.
   *
   * @throws IllegalStateException if the count is zero
   */
  void removeWait();

  /** @return how many tracked Futures (and manual waits) are still pending */
  int count();

  /**
   * Waits until nothing is pending.
   *
   * @return a Future completed with {@code true} when the count reaches zero (at once if it is zero)
   */
  default Future<Boolean> all() {
    return all(null);
  }

  /**
   * Waits until nothing is pending, for a limited time.
   *
   * @param timeout a positive duration, or {@code null} for no limit
   * @return a Future completed with {@code true} when the count reaches zero (at once if it is zero), or
   *     {@code false} when the timeout runs out first
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  Future<Boolean> all(Duration timeout);

  /**
   * Waits until at least one more pending Future completes.
   *
   * @return see {@link #any(Duration)}
   */
  default Future<Boolean> any() {
    return any(null);
  }

  /**
   * Waits until the count drops below its value at this call, that is until one of the Futures pending now
   * completes. Futures put meanwhile raise the count and so delay it.
   *
   * @param timeout a positive duration, or {@code null} for no limit
   * @return a Future completed with {@code true} when the count drops below its value at the call (at once
   *     if nothing is pending), or {@code false} when the timeout runs out first
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  Future<Boolean> any(Duration timeout);

  /**
   * Waits until fewer than {@code n} are pending.
   *
   * @param n the bound, at least 1
   * @return see {@link #untilFewer(int, Duration)}
   */
  default Future<Boolean> untilFewer(int n) {
    return untilFewer(n, null);
  }

  /**
   * Waits until fewer than {@code n} are pending: for concurrency limiting, by one feeder that waits, then
   * {@link #put}s its next Future, then waits again. Each waiter is a condition on the count, so several
   * waiters pending at once are all released by the same completion.
   *
   * @param n the bound, at least 1
   * @param timeout a positive duration, or {@code null} for no limit
   * @return a Future completed with {@code true} when the count is below {@code n} (at once if it is), or
   *     {@code false} when the timeout runs out first
   * @throws IllegalArgumentException if {@code n < 1} or {@code timeout} is not positive
   */
  Future<Boolean> untilFewer(int n, Duration timeout);

  /**
   * Completes every current waiter at once with {@code true}, whatever the count. Later waits work as
   * usual; the count is not changed.
   */
  void quitWaiting();
}
