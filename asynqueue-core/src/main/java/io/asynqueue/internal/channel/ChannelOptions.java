package io.asynqueue.internal.channel;

import java.time.Duration;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * What a {@link ChannelWorker} needs to know of its kind: how it is labelled, which codec the channel uses,
 * how iteration is windowed, how a timeout is enforced, and how it backs off when its channel keeps failing.
 * Set by the worker kinds (process, remote), not by users; fluent, not validated beyond what the kinds need.
 */
public final class ChannelOptions {

  String label = "channel worker";
  Set<String> series = Set.of();
  boolean trusted;
  ClassLoader loader = ChannelOptions.class.getClassLoader();
  int prefetch = 64;
  int prefetchBytes = 1 << 20;
  int window = 64;
  int maxFrameBytes = Integer.MAX_VALUE;
  boolean killOnTimeout;
  IntUnaryOperator capacity = maxInFlight -> maxInFlight;
  int maxFailures = 10;
  int immediateRetries;
  long baseDelayMillis = 100;
  long maxDelayMillis = 5_000;
  boolean retryFirstOpen;
  CallTimer callTimer;
  LineListener lines;

  /** Timing of each call: round trip, and the time it ran in the runner. */
  @FunctionalInterface
  public interface CallTimer {
    /**
     * @param roundTripNanos from sending the call to its reply
     * @param runNanos how long it ran in the runner
     */
    void called(long roundTripNanos, long runNanos);
  }

  /** The lines a runner's user code printed. */
  @FunctionalInterface
  public interface LineListener {
    /**
     * @param label the channel, as {@code process worker 1 child 2 (pid 42)}
     * @param stream 0 for stdout, 1 for stderr
     * @param line the line
     */
    void line(String label, int stream, String line);
  }

  /**
   * @param label what the worker is called in logs and failures, as {@code process worker}; its ID follows
   * @return this
   */
  public ChannelOptions label(String label) {
    this.label = label;
    return this;
  }

  /**
   * @param series the series the worker serves besides the default; empty for all
   * @return this
   */
  public ChannelOptions series(Set<String> series) {
    this.series = Set.copyOf(series);
    return this;
  }

  /**
   * @param trusted whether any class may travel (a child this JVM started) rather than only the classes the
   *     runner registers (a server)
   * @param loader where classes named on the wire are loaded from
   * @return this
   */
  public ChannelOptions codec(boolean trusted, ClassLoader loader) {
    this.trusted = trusted;
    this.loader = loader;
    return this;
  }

  /**
   * @param prefetch elements of an iteration the runner may send ahead of its consumer
   * @param prefetchBytes bytes likewise
   * @param window the Deferator's own window, in elements, on top of what the runner sent: 1 keeps the
   *     bytes held at the byte window (plus one batch and one element)
   * @return this
   */
  public ChannelOptions iteration(int prefetch, int prefetchBytes, int window) {
    this.prefetch = prefetch;
    this.prefetchBytes = prefetchBytes;
    this.window = window;
    return this;
  }

  /**
   * @param maxFrameBytes the largest call frame to send, whatever the runner accepts
   * @return this
   */
  public ChannelOptions maxFrameBytes(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
    return this;
  }

  /**
   * @param killOnTimeout {@code true} to end the channel when a call times out (a child is killed and
   *     replaced), {@code false} to tell the runner to cancel the call
   * @return this
   */
  public ChannelOptions killOnTimeout(boolean killOnTimeout) {
    this.killOnTimeout = killOnTimeout;
    return this;
  }

  /**
   * @param capacity the worker's capacity from the calls in flight the runner takes
   * @return this
   */
  public ChannelOptions capacity(IntUnaryOperator capacity) {
    this.capacity = capacity;
    return this;
  }

  /**
   * How the worker opens its channel again after losing it: the first {@code immediateRetries} at once, then
   * after {@code base}, doubling up to {@code max}; it resigns after {@code maxFailures} in a row (channels
   * that failed to open, or ended before a call completed on them).
   *
   * @param maxFailures failures in a row before the worker resigns
   * @param immediateRetries how many of them are retried at once
   * @param base the first delay
   * @param max the longest delay
   * @param retryFirstOpen whether the first opening is retried too (else the worker fails to start)
   * @return this
   */
  public ChannelOptions backoff(int maxFailures, int immediateRetries, Duration base, Duration max,
      boolean retryFirstOpen) {
    this.maxFailures = maxFailures;
    this.immediateRetries = immediateRetries;
    this.baseDelayMillis = base.toMillis();
    this.maxDelayMillis = max.toMillis();
    this.retryFirstOpen = retryFirstOpen;
    return this;
  }

  /**
   * @param callTimer told the timing of each call, or {@code null}
   * @return this
   */
  public ChannelOptions callTimer(CallTimer callTimer) {
    this.callTimer = callTimer;
    return this;
  }

  /**
   * @param lines told the lines the runner's user code prints, or {@code null} to drop them
   * @return this
   */
  public ChannelOptions lines(LineListener lines) {
    this.lines = lines;
    return this;
  }

  /** @return the delay before opening again after {@code failures} failures in a row */
  long delayMillis(int failures) {
    if (failures <= immediateRetries) {
      return 0;
    }
    return Math.min(maxDelayMillis, baseDelayMillis << Math.min(20, failures - immediateRetries - 1));
  }
}
