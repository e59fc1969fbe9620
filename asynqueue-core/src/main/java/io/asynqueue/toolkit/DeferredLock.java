package io.asynqueue.toolkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * An asynchronous, non-reentrant lock whose waiters get it in order, VIPs first, and that can be stopped
 * cleanly: {@link #stop()} waits for the current holder and every waiter, then runs cleanup actions.
 *
 * <pre>{@code
 * DeferredLock lock = DeferredLock.create(vertx);
 * lock.addStopper(() -> connection.close());
 * lock.withLock(false, () -> connection.send(request));     // released however it ends
 * lock.withLock(true, () -> connection.send(urgent));       // ahead of every regular waiter
 * lock.stop().onComplete(ar -> ...);                        // after both sends and the close
 * }</pre>
 *
 * <p><b>Order.</b> VIP waiters get the lock first come first served among themselves, ahead of every
 * regular waiter; regular waiters first come first served. So while the lock is held, waiters {@code a, b,
 * V1 (vip), c, V2 (vip)} get it in the order {@code V1, V2, a, b, c}.
 *
 * <p><b>Stopping.</b> {@link #stop()} lets the holder and the waiters queued before the call have the lock
 * in turn, then takes it, runs the stoppers one after the other, and completes. From the call of
 * {@code stop()} on, the lock admits no new waiter: an {@code acquire} made after it completes, without
 * taking the lock, as soon as the stoppers start (at once once they have), so a stopper may itself call
 * code that acquires the lock. Once stopped, {@link #release()} does nothing.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. The Future of {@code acquire} completes
 * on the Vert.x context of its caller (the context current at the call, or a new event-loop context when
 * called from a non-Vert.x thread), never inside the {@code release()} that hands the lock over. The
 * stoppers run on the context of the caller of {@code stop()}, and its Future completes there.
 */
public interface DeferredLock {

  /**
   * A lock, not held.
   *
   * @param vertx the Vert.x instance for contexts
   * @return the lock
   */
  static DeferredLock create(Vertx vertx) {
    return new DeferredLockImpl(vertx);
  }

  /**
   * Waits for the lock as a regular waiter.
   *
   * @return see {@link #acquire(boolean)}
   */
  default Future<Void> acquire() {
    return acquire(false);
  }

  /**
   * Waits for the lock. The caller must {@link #release()} it once done, or use
   * {@link #withLock(boolean, Supplier)}.
   *
   * @param vip whether to wait ahead of every regular waiter (behind earlier VIPs)
   * @return a Future completed (never failed) when the caller holds the lock: at once if it is free. Once
   *     {@link #stop()} has been called, it completes without the lock when the stoppers start, and at once
   *     after that
   */
  Future<Void> acquire(boolean vip);

  /**
   * Releases the lock: the next waiter, if any, gets it.
   *
   * @throws IllegalStateException if the lock is not held, unless it is stopped (then it does nothing)
   */
  void release();

  /**
   * Runs an action holding the lock, and releases the lock however the action ends.
   *
   * @param vip whether to wait as a VIP
   * @param body the action, called on the caller's context once the lock is held
   * @param <T> the result type
   * @return a Future of the action's result; failed with what it threw, or with a
   *     {@link NullPointerException} if it returned {@code null} instead of a Future
   */
  <T> Future<T> withLock(boolean vip, Supplier<Future<T>> body);

  /** @return whether someone holds the lock (the stop itself holds it while the stoppers run) */
  boolean isLocked();

  /**
   * Adds a cleanup action for {@link #stop()}, run after the ones added before it.
   *
   * @param stopper returns a Future of its completion
   * @throws IllegalStateException if the stoppers have started already
   */
  void addStopper(Supplier<? extends Future<?>> stopper);

  /**
   * Stops the lock: waits until the holder and every waiter queued before this call have had the lock, takes
   * it, runs the stoppers in order (each once the previous one's Future has completed, whether or not it
   * failed), then releases it for good. Calling it again returns the same Future.
   *
   * @return a Future completed on the caller's context when every stopper has completed; failed with the
   *     first stopper failure if any failed, threw, or returned {@code null} (later failures are added to it
   *     as suppressed and logged at WARN to {@code io.asynqueue.toolkit.DeferredLock})
   */
  Future<Void> stop();

  /** @return whether {@link #stop()} has been called */
  boolean isStopped();
}
