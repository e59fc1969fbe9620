package io.asynqueue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;

/**
 * Per-call options: priority, series, timeout, retries and cancellation.
 *
 * <p><b>Priority.</b> Within a series, lower runs sooner. A call's priority is its series' serial number (a
 * per-series counter that counts the series' calls) times a niceness factor {@code 1 + ((niceness + 20) /
 * 10)^2}: 1, 2, 5, 10 and 17 for niceness -20, -10, 0, +10, +20. Equal priorities run first-come
 * first-served. {@link #setDoNext(boolean) doNext} puts a call ahead of all others, {@link #setDoLast(boolean)
 * doLast} behind all others, in every series.
 *
 * <p><b>Series.</b> Series share the workers by the worker time their calls used, each call's time weighted by
 * its niceness factor: when a worker frees up, the series that has used least goes next (the idea of Linux's
 * CFS). A series that was idle comes back with at most 100 ms of credit. A worker that declares the series it
 * serves (see {@link io.asynqueue.spi.Worker#series()}) takes only calls of those series and of the
 * default series ({@code null}); the other workers take every series.
 *
 * <p><b>Cancellation.</b> A {@link CancelToken} set with {@link #setCancelToken(CancelToken)} cancels every call
 * made with it: see there.
 *
 * <p>Instances are mutable and not thread-safe; the queue copies what it needs when the call is made.
 */
public class CallOptions {

  /** The default niceness: 0. */
  public static final int DEFAULT_NICENESS = 0;
  /** The lowest (most urgent) niceness: -20. */
  public static final int MIN_NICENESS = -20;
  /** The highest (least urgent) niceness: +20. */
  public static final int MAX_NICENESS = 20;
  /** The default series: {@code null}, which every worker serves. */
  public static final String DEFAULT_SERIES = null;
  /** By default a call has no timeout ({@code null}). */
  public static final Duration DEFAULT_TIMEOUT = null;
  /** By default a call is never retried: a task must be safe to run twice before it may be. */
  public static final int DEFAULT_RETRIES = 0;

  private int niceness = DEFAULT_NICENESS;
  private String series = DEFAULT_SERIES;
  private boolean doNext;
  private boolean doLast;
  private Duration timeout = DEFAULT_TIMEOUT;
  private int retries = DEFAULT_RETRIES;
  private CancelToken cancelToken;

  /** Options with every default. */
  public CallOptions() {
  }

  /**
   * A copy.
   *
   * @param other the options to copy
   */
  public CallOptions(CallOptions other) {
    this.niceness = other.niceness;
    this.series = other.series;
    this.doNext = other.doNext;
    this.doLast = other.doLast;
    this.timeout = other.timeout;
    this.retries = other.retries;
    this.cancelToken = other.cancelToken;
  }

  /**
   * Options read from JSON: {@code niceness}, {@code series}, {@code doNext}, {@code doLast},
   * {@code timeoutMillis}, {@code retries}; each optional.
   *
   * @param json the JSON
   */
  public CallOptions(JsonObject json) {
    setNiceness(json.getInteger("niceness", DEFAULT_NICENESS));
    setSeries(json.getString("series", DEFAULT_SERIES));
    setDoNext(json.getBoolean("doNext", false));
    setDoLast(json.getBoolean("doLast", false));
    Long millis = json.getLong("timeoutMillis");
    setTimeout(millis == null ? null : Duration.ofMillis(millis));
    setRetries(json.getInteger("retries", DEFAULT_RETRIES));
  }

  /** @return the niceness, -20 (most urgent) to +20 */
  public int getNiceness() {
    return niceness;
  }

  /**
   * Sets the niceness: -20 (most urgent) to +20 (least); 0 by default.
   *
   * @param niceness the niceness
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if it is outside -20..+20
   */
  public CallOptions setNiceness(int niceness) {
    if (niceness < MIN_NICENESS || niceness > MAX_NICENESS) {
      throw new IllegalArgumentException("niceness must be in -20..+20, was " + niceness);
    }
    this.niceness = niceness;
    return this;
  }

  /** @return the series, {@code null} for the default series */
  public String getSeries() {
    return series;
  }

  /**
   * Sets the series: calls of different series interleave fairly, and a worker that declares its series
   * takes only those (and the default series).
   *
   * @param series the series name, {@code null} for the default series
   * @return a reference to this, so the API can be used fluently
   */
  public CallOptions setSeries(String series) {
    this.series = series;
    return this;
  }

  /** @return whether the call goes ahead of every call not marked doNext */
  public boolean isDoNext() {
    return doNext;
  }

  /**
   * Puts the call ahead of every other call, of every series; doNext calls among themselves run in
   * the order they were made. Clears {@link #setDoLast(boolean) doLast}.
   *
   * @param doNext whether to rush the call
   * @return a reference to this, so the API can be used fluently
   */
  public CallOptions setDoNext(boolean doNext) {
    this.doNext = doNext;
    if (doNext) {
      this.doLast = false;
    }
    return this;
  }

  /** @return whether the call goes behind every call not marked doLast */
  public boolean isDoLast() {
    return doLast;
  }

  /**
   * Puts the call behind every other call, of every series. Clears {@link #setDoNext(boolean) doNext}.
   *
   * @param doLast whether to hold the call back
   * @return a reference to this, so the API can be used fluently
   */
  public CallOptions setDoLast(boolean doLast) {
    this.doLast = doLast;
    if (doLast) {
      this.doNext = false;
    }
    return this;
  }

  /** @return the timeout, or {@code null} for none */
  public Duration getTimeout() {
    return timeout;
  }

  /**
   * Sets how long the task may run, counted from the moment a worker accepts it. When it runs out the
   * worker stops the task and the call fails with {@link TaskTimeoutException} (or is retried, see
   * {@link #setRetries(int)}).
   *
   * @param timeout a positive duration, or {@code null} for none
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if it is zero or negative
   */
  public CallOptions setTimeout(Duration timeout) {
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    this.timeout = timeout;
    return this;
  }

  /** @return how many times the call may be retried */
  public int getRetries() {
    return retries;
  }

  /**
   * Allows the call to be run again, at the head of the queue, when it timed out or its worker was lost;
   * each such attempt counts one. Only for tasks that are safe to run twice. A task that throws is never
   * retried: its exception is the answer.
   *
   * @param retries how many retries, 0 or more (0 by default)
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if negative
   */
  public CallOptions setRetries(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0, was " + retries);
    }
    this.retries = retries;
    return this;
  }

  /** @return the token that cancels the call, or {@code null} for none */
  public CancelToken getCancelToken() {
    return cancelToken;
  }

  /**
   * Sets a token that cancels the call: once the token is {@linkplain CancelToken#cancel() cancelled}, the call
   * leaves the queue if it is still queued (if it is running, it finishes, unless the cancel interrupts it), and
   * its Future fails with {@link TaskCancelledException}. One token may be set on any number of calls.
   *
   * @param token the token, or {@code null} for none (the default)
   * @return a reference to this, so the API can be used fluently
   */
  public CallOptions setCancelToken(CancelToken token) {
    this.cancelToken = token;
    return this;
  }

  /**
   * @return these options as JSON, in the form the JSON constructor reads; without the {@linkplain
   *     #getCancelToken() cancel token}, which lives in this JVM only
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("niceness", niceness).put("doNext", doNext).put("doLast", doLast)
        .put("retries", retries);
    if (series != null) {
      json.put("series", series);
    }
    if (timeout != null) {
      json.put("timeoutMillis", timeout.toMillis());
    }
    return json;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CallOptions)) {
      return false;
    }
    CallOptions that = (CallOptions) o;
    return niceness == that.niceness && doNext == that.doNext && doLast == that.doLast && retries == that.retries
        && Objects.equals(series, that.series) && Objects.equals(timeout, that.timeout)
        && cancelToken == that.cancelToken;
  }

  @Override
  public int hashCode() {
    return Objects.hash(niceness, series, doNext, doLast, timeout, retries, System.identityHashCode(cancelToken));
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
