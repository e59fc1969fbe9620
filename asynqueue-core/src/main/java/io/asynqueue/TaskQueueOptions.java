package io.asynqueue;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Options of a {@link TaskQueue}: its name, how long a stopping worker may take, and how much it logs.
 *
 * <p>Logging goes through SLF4J to the logger {@code io.asynqueue.TaskQueue}. A failing task is logged at
 * DEBUG; with {@link #setVerbose(boolean) verbose} at WARN with the call described ({@code f(1, 2)}); with
 * {@link #setSpew(boolean) spew} every call is logged at INFO as {@code f(3) -> 6}.
 *
 * <p>Metrics go to a Micrometer {@link #setMeterRegistry(MeterRegistry) MeterRegistry}, when one is given; without
 * one nothing is recorded, and Micrometer (an optional dependency) need not be on the class path.
 */
public class TaskQueueOptions {

  /** The default stop timeout: 30 seconds. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private String name;
  private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
  private boolean verbose;
  private boolean spew;
  private MeterRegistry meterRegistry;
  private boolean seriesTag;

  /** Options with every default. */
  public TaskQueueOptions() {
  }

  /**
   * A copy.
   *
   * @param other the options to copy
   */
  public TaskQueueOptions(TaskQueueOptions other) {
    this.name = other.name;
    this.stopTimeout = other.stopTimeout;
    this.verbose = other.verbose;
    this.spew = other.spew;
    this.meterRegistry = other.meterRegistry;
    this.seriesTag = other.seriesTag;
  }

  /**
   * Options read from JSON: {@code name}, {@code stopTimeoutMillis}, {@code verbose}, {@code spew}; each optional.
   *
   * @param json the JSON
   */
  public TaskQueueOptions(JsonObject json) {
    if (json.getString("name") != null) {
      setName(json.getString("name"));
    }
    setStopTimeout(Duration.ofMillis(json.getLong("stopTimeoutMillis", DEFAULT_STOP_TIMEOUT.toMillis())));
    setVerbose(json.getBoolean("verbose", false));
    setSpew(json.getBoolean("spew", false));
  }

  /** @return the queue's name, or {@code null} for one given when the queue is made ({@code q1}, {@code q2}, ...) */
  public String getName() {
    return name;
  }

  /**
   * Names the queue. The name is in the names of the threads its workers start ({@code asynqueue-<name>-thread-...},
   * {@code asynqueue-<name>-process-...}) and in every log line that names one of its workers, so that a thread dump
   * or a log tells queues apart. By default a queue is named {@code q<n>}, with {@code n} counted per JVM.
   *
   * @param name a name of letters, digits, {@code .}, {@code _} or {@code -}, at most 64 characters; or {@code null}
   *     for the default
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if it is empty, longer, or has another character
   */
  public TaskQueueOptions setName(String name) {
    if (name != null && !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be 1 to 64 letters, digits, '.', '_' or '-', was \"" + name + "\"");
    }
    this.name = name;
    return this;
  }

  /** @return how long a worker may take to stop gracefully before it is crashed */
  public Duration getStopTimeout() {
    return stopTimeout;
  }

  /**
   * Sets how long a worker may take to finish its tasks when it is detached gracefully or the queue shuts
   * down; after that it is crashed and its tasks fail with {@link WorkerLostException}.
   *
   * @param stopTimeout a positive duration
   * @return a reference to this, so the API can be used fluently
   * @throws IllegalArgumentException if not positive
   */
  public TaskQueueOptions setStopTimeout(Duration stopTimeout) {
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    if (stopTimeout.isZero() || stopTimeout.isNegative()) {
      throw new IllegalArgumentException("stopTimeout must be positive, was " + stopTimeout);
    }
    this.stopTimeout = stopTimeout;
    return this;
  }

  /** @return whether failures are logged at WARN with the call described */
  public boolean isVerbose() {
    return verbose;
  }

  /**
   * Logs each failing call at WARN, described as {@code f(1, x)}, with its stack trace.
   *
   * @param verbose whether to
   * @return a reference to this, so the API can be used fluently
   */
  public TaskQueueOptions setVerbose(boolean verbose) {
    this.verbose = verbose;
    return this;
  }

  /** @return whether every call is logged at INFO with its result */
  public boolean isSpew() {
    return spew;
  }

  /**
   * Logs every call at INFO as {@code f(3) -> 6}. Implies {@link #setVerbose(boolean) verbose}.
   *
   * @param spew whether to
   * @return a reference to this, so the API can be used fluently
   */
  public TaskQueueOptions setSpew(boolean spew) {
    this.spew = spew;
    if (spew) {
      this.verbose = true;
    }
    return this;
  }

  /** @return the registry the queue records its metrics in, or {@code null} (the default) for none */
  public MeterRegistry getMeterRegistry() {
    return meterRegistry;
  }

  /**
   * Records the queue's metrics in a Micrometer registry: its calls queued and running, their wait and run times,
   * how they ended, and its workers (see the README's Metrics section for the meters). Without a registry (the
   * default) nothing is recorded. Not part of the JSON form.
   *
   * @param meterRegistry the registry, or {@code null} for none
   * @return a reference to this, so the API can be used fluently
   */
  public TaskQueueOptions setMeterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = meterRegistry;
    return this;
  }

  /** Whether a registry was given; reads the field without naming Micrometer's types. */
  boolean hasMeterRegistry() {
    return meterRegistry != null;
  }

  /** @return whether the call meters are tagged with the call's series */
  public boolean isSeriesTag() {
    return seriesTag;
  }

  /**
   * Tags the call meters (wait and run times, outcomes, retries) with the call's {@code series} ({@code default}
   * for the default series), at most 1,000 series per worker kind, the rest tagged {@code other}. Off by default:
   * a series per user or per request would make a meter for each. Queues that share a registry should agree on
   * this, since a meter name must have the same tags throughout a registry.
   *
   * @param seriesTag whether to
   * @return a reference to this, so the API can be used fluently
   */
  public TaskQueueOptions setSeriesTag(boolean seriesTag) {
    this.seriesTag = seriesTag;
    return this;
  }

  /** @return these options as JSON, in the form the JSON constructor reads */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (name != null) {
      json.put("name", name);
    }
    return json.put("stopTimeoutMillis", stopTimeout.toMillis()).put("verbose", verbose).put("spew", spew);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
