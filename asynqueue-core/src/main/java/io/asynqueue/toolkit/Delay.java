package io.asynqueue.toolkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits on Vert.x timers: for a fixed time, or until a condition holds, polled with a growing interval.
 *
 * <pre>{@code
 * Delay delay = Delay.create(vertx, new DelayOptions().setTimeout(Duration.ofSeconds(5)));
 * delay.after(Duration.ofMillis(200)).onSuccess(v -> ...);
 * delay.untilEvent(() -> file.exists()).onSuccess(happened -> ...);   // false after 5 s
 * delay.shutdown();                                                      // ends every wait now
 * }</pre>
 *
 * <p>Polling is for conditions nothing notifies you of. When something does (a Future, a handler), wait on
 * that instead: it costs nothing between events and reacts at once.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. Every Future a Delay returns completes
 * on the Vert.x context of the caller (the context current at the call, or a new event-loop context when
 * called from a non-Vert.x thread), and the checks of {@code untilEvent} after the first run on that context.
 *
 * <p><b>Shutdown.</b> {@link #shutdown()} cancels every timer and completes every pending wait at once, so a
 * Delay never leaves a Future hanging nor a timer behind.
 */
public interface Delay {

  /**
   * A Delay with the default options: 1 ms first interval, backoff 1.10, no timeout.
   *
   * @param vertx the Vert.x instance for timers and contexts
   * @return the Delay
   */
  static Delay create(Vertx vertx) {
    return create(vertx, new DelayOptions());
  }

  /**
   * A Delay with these options (copied: later changes to {@code options} do not affect it).
   *
   * @param vertx the Vert.x instance for timers and contexts
   * @param options the options
   * @return the Delay
   */
  static Delay create(Vertx vertx, DelayOptions options) {
    return new DelayImpl(vertx, options);
  }

  /**
   * Waits for the first interval of the options ({@link DelayOptions#getInterval()}).
   *
   * @return a Future completed after the interval, or at once after {@link #shutdown()}
   */
  default Future<Void> after() {
    return after(options().getInterval());
  }

  /**
   * Waits for a time.
   *
   * @param delay how long; zero means the next turn of the event loop. Vert.x timers count whole
   *     milliseconds: a fraction of one is rounded up
   * @return a Future completed (with success) after {@code delay}, or at once if the Delay is shut down
   *     meanwhile or already
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  Future<Void> after(Duration delay);

  /**
   * Polls a condition until it holds, with the options' timeout.
   *
   * @param check the condition
   * @return see {@link #untilEvent(BooleanSupplier, Duration)}
   */
  default Future<Boolean> untilEvent(BooleanSupplier check) {
    return untilEvent(check, options().getTimeout());
  }

  /**
   * Polls a condition until it holds. The condition is checked at once (in the calling thread), then on the
   * next turn of the event loop, then after the options' interval, which is multiplied by the backoff after
   * each check; from the second check on, checks run on the caller's context.
   *
   * @param check the condition; it should be quick and must not block
   * @param timeout how long to wait at most, or {@code null} for no limit; the condition is checked once
   *     more when it runs out
   * @return a Future completed with {@code true} when a check returns true, with {@code false} when the
   *     timeout runs out or the Delay is shut down meanwhile, or failed with what a check threw. Once the
   *     Delay is shut down, it completes with the result of one check, made at once
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  Future<Boolean> untilEvent(BooleanSupplier check, Duration timeout);

  /**
   * Ends every pending wait and cancels its timer: {@code after} waits complete with success,
   * {@code untilEvent} waits with {@code false}. Later calls do not wait (see each). Calling it again does
   * nothing.
   *
   * @return a Future completed, on the caller's context, once the pending waits are completed
   */
  Future<Void> shutdown();

  /** @return whether {@link #shutdown()} was called */
  boolean isShutdown();

  /** @return a copy of the options of this Delay */
  DelayOptions options();
}
