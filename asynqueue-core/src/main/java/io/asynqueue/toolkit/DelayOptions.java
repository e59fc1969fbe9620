package io.asynqueue.toolkit;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of a {@link Delay}: the first polling interval, how much it grows after each check, and an
 * optional timeout for {@link Delay#untilEvent(java.util.function.BooleanSupplier)}.
 *
 * <p>With the defaults (1 ms, growing by 10 % per check) a wait of one second takes about 50 checks: the gap
 * between checks stays near a tenth of the time waited so far.
 */
public class DelayOptions {

  /** The default first interval between checks, and the default of {@link Delay#after()}: 1 ms. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(1);

  /** The default factor the interval is multiplied by after each check: 1.10. */
  public static final double DEFAULT_BACKOFF = 1.10;

  /** The smallest backoff allowed: 1.0 (a constant interval). */
  public static final double MIN_BACKOFF = 1.0;

  /** The largest backoff allowed: 1.3. */
  public static final double MAX_BACKOFF = 1.3;

  /** The default timeout of {@code untilEvent}: {@code null}, none. */
  public static final Duration DEFAULT_TIMEOUT = null;

  private Duration interval = DEFAULT_INTERVAL;
  private double backoff = DEFAULT_BACKOFF;
  private Duration timeout = DEFAULT_TIMEOUT;

  /** Options with every default. */
  public DelayOptions() {
  }

  /**
   * A copy.
   *
   * @param other the options to copy
   */
  public DelayOptions(DelayOptions other) {
    this.interval = other.interval;
    this.backoff = other.backoff;
    this.timeout = other.timeout;
  }

  /**
   * Options read from JSON: {@code intervalMillis}, {@code backoff}, {@code timeoutMillis}; each optional
   * (no {@code timeoutMillis}, or {@code null}, means no timeout).
   *
   * @param json the JSON
   * @throws IllegalArgumentException if a value is out of range, as the setters do
   */
  public DelayOptions(JsonObject json) {
    setInterval(Duration.ofMillis(json.getLong("intervalMillis", DEFAULT_INTERVAL.toMillis())));
    setBackoff(json.getDouble("backoff", DEFAULT_BACKOFF));
    Long timeoutMillis = json.getLong("timeoutMillis");
    setTimeout(timeoutMillis == null ? null : Duration.ofMillis(timeoutMillis));
  }

  /** @return the first interval between checks, also the wait of {@link Delay#after()} */
  public Duration getInterval() {
    return interval;
  }

  /**
   * Sets the first interval between checks of {@code untilEvent} (after the immediate check and the one on
   * the next event-loop turn), and the wait of {@link Delay#after()}. Vert.x timers count whole
   * milliseconds, so a shorter interval acts as 1 ms.
   *
   * @param interval a positive duration
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if not positive
   */
  public DelayOptions setInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    this.interval = interval;
    return this;
  }

  /** @return the factor the interval is multiplied by after each check */
  public double getBackoff() {
    return backoff;
  }

  /**
   * Sets the factor the interval is multiplied by after each check.
   *
   * @param backoff from {@value #MIN_BACKOFF} to {@value #MAX_BACKOFF}
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if out of that range (or NaN)
   */
  public DelayOptions setBackoff(double backoff) {
    if (!(backoff >= MIN_BACKOFF && backoff <= MAX_BACKOFF)) {
      throw new IllegalArgumentException(
          "backoff must be from " + MIN_BACKOFF + " to " + MAX_BACKOFF + ", was " + backoff);
    }
    this.backoff = backoff;
    return this;
  }

  /** @return how long {@code untilEvent} waits before it gives up with {@code false}, or {@code null} */
  public Duration getTimeout() {
    return timeout;
  }

  /**
   * Sets how long {@code untilEvent} waits for its event before it completes with {@code false}.
   *
   * @param timeout a positive duration, or {@code null} for no timeout
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if not positive
   */
  public DelayOptions setTimeout(Duration timeout) {
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      throw new IllegalArgumentException("timeout must be positive or null, was " + timeout);
    }
    this.timeout = timeout;
    return this;
  }

  /**
   * @return these options as JSON, in the form the JSON constructor reads (durations in whole
   *     milliseconds, rounded up)
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("intervalMillis", ceilMillis(interval)).put("backoff", backoff);
    if (timeout != null) {
      json.put("timeoutMillis", ceilMillis(timeout));
    }
    return json;
  }

  // Rounds up, so a positive sub-millisecond duration stays positive through JSON.
  private static long ceilMillis(Duration d) {
    long millis = d.toMillis();
    return d.minusMillis(millis).isZero() ? millis : millis + 1;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
