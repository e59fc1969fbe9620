package io.asynqueue.mandelbrot.web;

import java.time.Duration;

/**
 * What one {@link MandelbrotServer} takes on at most: renders at once (overall and per client address), the work of
 * one render, connections, and how long a connection may say nothing.
 *
 * @param maxRenders renders at once, overall; one more gets a 503 with {@code Retry-After}
 * @param maxRendersPerClient renders at once from one client address; one more gets a 429 with {@code Retry-After}
 * @param maxWork the largest render, in pixel-iterations: width x height x {@code values}; more gets a 400
 * @param maxConnections open connections at most; a connection beyond is closed as it opens
 * @param idleTimeout how long a connection may stay open with no request under way (its request head not yet all
 *     there, or between requests), before it is closed
 * @param h2c whether HTTP/2 over cleartext is accepted (off unless asked for)
 */
public record ServerLimits(int maxRenders, int maxRendersPerClient, long maxWork, int maxConnections,
    Duration idleTimeout, boolean h2c) {

  /** The largest render by default: the page's HD image (2048 px wide) at about 13,000 iterations. */
  public static final long DEFAULT_MAX_WORK = 50_000_000_000L;
  /** How long a connection may say nothing, by default. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Checks the limits.
   *
   * @param maxRenders renders at once, overall
   * @param maxRendersPerClient renders at once from one client address
   * @param maxWork the largest render, in pixel-iterations
   * @param maxConnections open connections at most
   * @param idleTimeout how long a connection may stay open with no request under way
   * @param h2c whether HTTP/2 over cleartext is accepted
   * @throws IllegalArgumentException if a count or the work is below 1 or the timeout not positive
   */
  public ServerLimits {
    if (maxRenders < 1 || maxRendersPerClient < 1 || maxWork < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("limits must be at least 1");
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("the idle timeout must be positive, not " + idleTimeout);
    }
  }

  /**
   * The defaults, from this machine's cores: 2 renders per core overall, 1 per core (at least 2) per client,
   * {@value #DEFAULT_MAX_WORK} pixel-iterations, 64 connections per core, a 30 s idle timeout, no h2c.
   *
   * @return the default limits
   */
  public static ServerLimits defaults() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServerLimits(2 * cores, Math.max(2, cores), DEFAULT_MAX_WORK, 64 * cores, DEFAULT_IDLE_TIMEOUT,
        false);
  }
}
