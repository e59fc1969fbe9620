/**
 * The async toolkit: {@link io.asynqueue.toolkit.Delay} (timers, and polling a condition with a growing
 * interval), {@link io.asynqueue.toolkit.DeferredTracker} (wait for all, any, or fewer than N Futures in
 * flight) and {@link io.asynqueue.toolkit.DeferredLock} (an async lock whose VIP waiters go first).
 *
 * <p>Threading: all three are thread-safe, and every Future completes on the caller's Vert.x context.
 */
package io.asynqueue.toolkit;
